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
