"""The review page (复核) in a real headless Chromium: review three paragraphs
with the keyboard, then find the corrections in the SQLite file."""
import sqlite3
import threading

import pytest

from tests.conftest import DATA
from tests.service.test_browser import ARTIFACTS, browser  # noqa: F401 - the shared Chromium fixture

pytestmark = [pytest.mark.slow, pytest.mark.browser]

HOSTILE = '<img src=x onerror="window.__xss = 1">村党支部领办合作社，带动村集体经济增收，<script>window.__xss = 2</script>'


@pytest.fixture(scope="module")
def review_server(small_model, tmp_path_factory):
    from werkzeug.serving import make_server

    from dangjian.model.review_queue import review_units
    from dangjian.service.app import create_app

    db = tmp_path_factory.mktemp("review") / "review.sqlite"
    app = create_app({"TESTING": True, "REVIEW_DB": str(db)}, model=small_model)
    seed = sorted((DATA / "seeds").glob("*.txt"))[4]
    article = small_model.text_pipeline.process(seed.read_text(encoding="utf-8"))
    units = [{"text": u.text, "key": f"{seed.stem}-p{u.index}", "article": seed.stem, "source": "乡村干部报网"}
             for u in article.units]
    units.append({"text": HOSTILE, "key": "hostile-p0", "article": "<b>hostile</b>", "source": None})
    app.extensions["review_store"].add_units(zip(units, review_units(small_model, [u["text"] for u in units])))
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", db, len(units)
    srv.shutdown()


def shown_unit(driver):
    """(unit id, selected theme ids, primary) as the page shows them, read in
    one script so that a re-render cannot change the page halfway."""
    unit, selected, primary = driver.execute_script(
        "const on = Array.from(document.querySelectorAll('#theme-list li.on')).map((li) => li.dataset.theme);"
        "const p = document.querySelector('#theme-list li.primary');"
        "return [Number(document.getElementById('card').dataset.unitId), on, p ? p.dataset.theme : null];")
    return unit, selected, primary


def press(driver, *keys):
    from selenium.webdriver.common.action_chains import ActionChains

    for key in keys:
        ActionChains(driver).send_keys(key).perform()


def press_shifted(driver, key):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(driver).key_down(Keys.SHIFT).send_keys(key).key_up(Keys.SHIFT).perform()


def wait_for(driver, condition, timeout=20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def test_review_three_paragraphs_by_keyboard(review_server, browser):  # noqa: F811
    from selenium.webdriver.common.keys import Keys

    url, db, n_units = review_server
    browser.get(url + "/review")
    browser.execute_script("window.__xss = 0;")
    assert "复核" in browser.title
    wait_for(browser, lambda d: d.find_element("id", "card").is_displayed())
    themes = [li.get_attribute("data-theme") for li in browser.find_elements("css selector", "#theme-list li")]
    assert len(themes) == 9
    assert browser.find_element("id", "progress").text == f"已复核 0 / 共 {n_units} 段"
    # evidence is marked in its theme's colour, as on the analyst page
    marks = browser.execute_script(
        "return Array.from(document.querySelectorAll('#unit-text mark')).map("
        "m => [m.dataset.theme, getComputedStyle(m).borderBottomColor]);")
    for theme, border in marks:
        assert theme in themes and border != "rgba(0, 0, 0, 0)"

    expected = {}
    # paragraph 1: toggle theme 1 and theme 5, make 5 the primary, confirm
    unit, before, _ = shown_unit(browser)
    press(browser, "1", "5")
    press_shifted(browser, "5")
    after = set(before) ^ {themes[0], themes[4]} | {themes[4]}
    unit_now, selected, primary = shown_unit(browser)
    assert unit_now == unit and set(selected) == after and primary == themes[4]
    expected[unit] = (after, themes[4])
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: shown_unit(d)[0] != unit)
    assert browser.find_element("id", "progress").text == f"已复核 1 / 共 {n_units} 段"

    # paragraph 2: toggle theme 2, undo it (U), toggle theme 3, confirm
    unit, before, before_primary = shown_unit(browser)
    press(browser, "2")
    assert set(shown_unit(browser)[1]) == set(before) ^ {themes[1]}
    press(browser, "u")
    assert shown_unit(browser)[1:] == (before, before_primary)
    press(browser, "3")
    unit_now, selected, primary = shown_unit(browser)
    expected[unit] = (set(selected), primary)
    assert set(selected) == set(before) ^ {themes[2]}
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: shown_unit(d)[0] != unit)

    # paragraph 3: skip it with J, come back with K, clear every theme, confirm "no theme"
    unit, before, _ = shown_unit(browser)
    press(browser, "j")
    assert shown_unit(browser)[0] != unit
    press(browser, "k")
    assert shown_unit(browser)[0] == unit
    press(browser, *[str(themes.index(t) + 1) for t in before])
    assert shown_unit(browser)[1:] == ([], None)
    expected[unit] = (set(), None)
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: shown_unit(d)[0] != unit)
    wait_for(browser, lambda d: d.find_element("id", "progress").text == f"已复核 3 / 共 {n_units} 段")

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT unit_id, labels, primary_theme, version FROM corrections ORDER BY id").fetchall()
    import json

    assert {r[0]: (set(json.loads(r[1])), r[2]) for r in rows} == expected
    assert [r[3] for r in rows] == [1, 1, 1]
    assert browser.execute_script("return window.__xss;") == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "review_three_paragraphs.png"))


def test_review_page_shows_markup_as_text(review_server, browser):  # noqa: F811
    url, db, _ = review_server
    browser.get(url + "/review")
    browser.execute_script("window.__xss = 0;")
    wait_for(browser, lambda d: d.find_element("id", "card").is_displayed())
    for _ in range(60):  # walk the queue to the hostile paragraph
        if "<script>" in browser.find_element("id", "unit-text").text:
            break
        browser.find_element("id", "next").click()
    assert HOSTILE.replace('"', '"') in browser.find_element("id", "unit-text").text
    assert "<b>hostile</b>" in browser.find_element("id", "unit-meta").text
    assert not browser.find_elements("css selector", "#card img, #card script, #card b")
    assert browser.execute_script("return window.__xss;") == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "review_markup.png"))
