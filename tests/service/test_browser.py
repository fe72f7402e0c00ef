"""The analyst page in a real headless Chromium (Debian's chromium + chromedriver)."""
import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO, SEEDS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def server(app):
    from werkzeug.serving import make_server

    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM and CHROMEDRIVER):
        message = ("chromium and chromedriver are needed (Debian packages chromium, chromium-driver; "
                   "scripts/ensure-browser.sh, run by `make test`, installs them as root)")
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must never pass without the browser tests
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,2400", f"--user-data-dir={tmp_path_factory.mktemp('chrome')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def paste(driver, text):
    # What a paste does: set the textarea's value and fire its input event.
    area = driver.find_element("id", "text")
    driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", area, text)


def analyse(driver):
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element("id", "submit").click()
    WebDriverWait(driver, 30).until(EC.visibility_of_element_located(("id", "results")))
    WebDriverWait(driver, 30).until(lambda d: "段" in d.find_element("id", "status").text)


def test_page_renders_paragraphs_and_theme_tags(server, browser):
    browser.get(server + "/")
    assert "基层党建文本主题分析" in browser.title
    paste(browser, SEEDS[4].read_text(encoding="utf-8"))
    analyse(browser)
    items = browser.find_elements("css selector", "#paragraphs li.paragraph")
    assert len(items) >= 10
    tags = browser.find_elements("css selector", "#paragraphs .tag:not(.none)")
    assert tags, "no theme tags rendered"
    assert any("基层治理" in t.text or "集体经济" in t.text or "组织体系" in t.text for t in tags)
    assert browser.find_elements("css selector", "#shares .bar .fill")
    assert browser.find_elements("css selector", "#paragraphs mark"), "no evidence word highlighted"
    assert "互学共促谋发展" in browser.find_element("id", "paragraphs").text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "page_seed_article.png"))
    assert (ARTIFACTS / "page_seed_article.png").stat().st_size > 10_000


def test_pasted_markup_stays_text_and_never_runs(server, browser):
    browser.get(server + "/")
    browser.execute_script("window.__xss = 0;")
    payload = ('<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
               '村党支部领办合作社，带动村集体经济增收。<b onmouseover="window.__xss=3">粗体</b>')
    paste(browser, payload)
    browser.find_element("id", "title").send_keys('<img src=y onerror="window.__xss=4">')
    analyse(browser)
    text = browser.find_element("id", "paragraphs").text
    assert "<script>window.__xss = 1</script>" in text
    assert '<img src=x onerror="window.__xss = 2">' in text
    assert browser.execute_script("return window.__xss;") == 0
    assert not browser.find_elements("css selector", "#paragraphs img, #paragraphs script, #paragraphs b")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "page_markup.png"))


def _rgb(colour):
    """A #RRGGBB colour as selenium reports a computed colour."""
    return "rgba({}, {}, {}, 1)".format(*(int(colour[i:i + 2], 16) for i in (1, 3, 5)))


def test_evidence_words_are_marked_in_their_theme_colour(server, browser, small_model):
    from dangjian.model.palette import tint

    colours = small_model.codebook.colours()
    browser.get(server + "/")
    paste(browser, SEEDS[4].read_text(encoding="utf-8"))
    analyse(browser)
    marks = browser.find_elements("css selector", "#paragraphs mark")
    assert marks
    themes_seen = set()
    for mark in marks[:40]:
        theme = mark.get_attribute("data-theme")
        assert theme in colours
        themes_seen.add(theme)
        assert mark.value_of_css_property("border-bottom-color") == _rgb(colours[theme])
        assert mark.value_of_css_property("background-color") == _rgb(tint(colours[theme], 0.35))
        # the word is evidence for that theme in its paragraph
        item = mark.find_element("xpath", "ancestor::li[contains(@class, 'paragraph')]")
        evidence = item.find_elements("css selector", ".evidence")
        assert any(mark.text in e.text for e in evidence)
    tag = browser.find_element("css selector", "#paragraphs .tag:not(.none)")
    tag_theme = next(c[2:] for c in tag.get_attribute("class").split() if c.startswith("t-"))
    assert tag.value_of_css_property("background-color") == _rgb(colours[tag_theme])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "page_evidence_colours.png"))


def test_a_single_pasted_line_is_content_and_gets_labelled(server, browser):
    browser.get(server + "/")
    line = "村党支部领办土地股份合作社，发展特色种植产业，带动村集体经济增收，入股村民按股分红。"
    paste(browser, line)
    analyse(browser)
    items = browser.find_elements("css selector", "#paragraphs li.paragraph")
    assert len(items) == 1 and line in items[0].text
    assert "集体经济" in items[0].find_element("css selector", ".tags").text
    assert browser.find_element("id", "status").text == "共 1 段。"


def test_topic_list_is_all_chinese(server, browser):
    import re

    browser.get(server + "/")
    paste(browser, SEEDS[4].read_text(encoding="utf-8"))
    analyse(browser)
    topics = browser.find_element("id", "topics").text
    assert topics.strip() and not re.search(r"[A-Za-z_]", topics)


def test_a_paste_with_nothing_to_label_says_why(server, browser):
    browser.get(server + "/")
    paste(browser, "来源：新华网\n责任编辑：张三\n2020-05-03 10:21")
    from selenium.webdriver.support.ui import WebDriverWait

    browser.find_element("id", "submit").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_element("id", "status").text)
    status = browser.find_element("id", "status")
    assert "没有可以标注的段落" in status.text and "版权" in status.text
    assert "共 0 段" not in status.text
    assert not browser.find_element("id", "results").is_displayed()


def test_report_topic_map_shows_a_topics_words_on_click(browser, small_model, tmp_path):
    import hashlib

    from dangjian.service.report import write_report

    rows = [{"doc": f"d{i}", "title": f"文章{i}", "date": f"2020-0{i % 6 + 1}-01", "region": None,
             "text": "村党支部领办合作社，带动村集体经济增收。", "themes": [{"id": "collective_economy", "name": "集体经济", "score": 0.9}],
             "topics": [{"id": i % 3, "weight": 0.5}], "content_hash": hashlib.sha256(str(i).encode()).hexdigest()}
            for i in range(12)]
    report = tmp_path / "report.html"
    write_report(report, lambda: iter(rows), small_model)
    browser.get(report.as_uri())
    circles = browser.find_elements("css selector", ".topic-map .topic")
    assert len(circles) == len(small_model.describe_topics())
    target = circles[-1]
    topic_id = target.get_attribute("data-topic")
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));", target)
    assert browser.find_element("id", "tm-title").text.startswith(f"话题 #{topic_id}：")
    assert len(browser.find_elements("css selector", "#tm-words .w")) == 15
    words_before = browser.find_element("id", "tm-words").text
    browser.execute_script("const s = document.getElementById('tm-lambda'); s.value = '0';"
                           "s.dispatchEvent(new Event('input'));")
    assert browser.find_element("id", "tm-lambda-value").text == "0.0"
    assert browser.find_element("id", "tm-words").text != words_before
    # hovering a word sizes the circles by that word's spread over the topics
    sizes = [c.get_attribute("r") for c in browser.find_elements("css selector", ".topic-map circle")]
    word_row = browser.find_element("css selector", "#tm-words .w")
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseenter'));", word_row)
    assert [c.get_attribute("r") for c in browser.find_elements("css selector", ".topic-map circle")] != sizes
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseleave'));", word_row)
    assert [c.get_attribute("r") for c in browser.find_elements("css selector", ".topic-map circle")] == sizes
    # the trend legend highlights a theme's line
    browser.find_element("css selector", ".legend-item[data-theme='collective_economy']").click()
    assert "dim" in browser.find_element("css selector", ".chart").get_attribute("class")
