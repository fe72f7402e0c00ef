"""Screenshots of the web page, the HTML report and its topic map, and the review page for docs/ (linked from README).

    .venv/bin/python scripts/screenshots.py [--model models/latest] [--out docs]

Needs a trained bundle and Chromium with chromedriver (scripts/ensure-browser.sh).
It labels 300 bundled news items (every tenth of data/raw/xwlb_news_sample.jsonl,
so that they spread over 2012-2026) with ``dangjian label --report``; for the
demonstration each item gets a ``region``: the first province-level name in its
title or text (items naming none have no region). Then it serves the page
in-process, pastes a seed article, and photographs page and report in headless
Chromium. Only files under the repository are read; outputs go to --out and a
temporary directory.
"""
from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NEWS = REPO / "data" / "raw" / "xwlb_news_sample.jsonl"
SEED = sorted((REPO / "data" / "seeds").glob("*.txt"))[4]
PROVINCES = ("北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
             "广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆").split()

logger = logging.getLogger("screenshots")


def first_province(text: str) -> str | None:
    hits = [(text.find(p), p) for p in PROVINCES if p in text]
    return min(hits)[1] if hits else None


def demo_input(path: Path, every: int = 10) -> int:
    records = []
    for i, line in enumerate(NEWS.read_text(encoding="utf-8").splitlines()):
        if i % every or not line.strip():
            continue
        record = json.loads(line)
        region = first_province(record.get("title", "") + record.get("content", ""))
        if region:
            record["region"] = region
        records.append(record)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return len(records)


def browser(width: int, height: int, profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        raise SystemExit("screenshots: chromium and chromedriver are needed (scripts/ensure-browser.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--hide-scrollbars", f"--window-size={width},{height}",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    return driver


def shoot_page(model_dir: str, out: Path, profile: Path) -> Path:
    from selenium.webdriver.support.ui import WebDriverWait
    from werkzeug.serving import make_server

    from dangjian.service.app import create_app

    app = create_app({"MODEL_DIR": model_dir})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    driver = browser(1280, 2100, profile)
    try:
        driver.get(f"http://127.0.0.1:{server.server_port}/")
        area = driver.find_element("id", "text")
        driver.execute_script("arguments[0].value = arguments[1];", area, SEED.read_text(encoding="utf-8"))
        driver.find_element("id", "submit").click()
        WebDriverWait(driver, 60).until(lambda d: "段" in d.find_element("id", "status").text)
        target = out / "screenshot-page.png"
        driver.save_screenshot(str(target))
        return target
    finally:
        driver.quit()
        server.shutdown()


def shoot_report(report: Path, out: Path, profile: Path) -> list[Path]:
    driver = browser(1100, 1500, profile)
    try:
        driver.get(report.as_uri())
        top = out / "screenshot-report.png"
        driver.execute_script("document.getElementById('trend').scrollIntoView();")
        driver.save_screenshot(str(top))
        region = out / "screenshot-report-regions.png"
        driver.execute_script("document.getElementById('region').scrollIntoView();")
        driver.save_screenshot(str(region))
        # the topic map with a seeded topic selected (its words in the panel)
        topic = driver.execute_script(
            "const d = JSON.parse(document.getElementById('topic-data').textContent).topics;"
            "const seeded = d.filter(t => t.theme !== 'residual').sort((a, b) => b.share - a.share);"
            "return (seeded[0] || d[0]).id;")
        circle = driver.find_element("css selector", f".topic-map .topic[data-topic='{topic}']")
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));", circle)
        driver.execute_script("document.getElementById('topics').scrollIntoView();")
        tmap = out / "screenshot-topic-map.png"
        driver.find_element("css selector", ".topic-map-box").screenshot(str(tmap))
        return [top, region, tmap]
    finally:
        driver.quit()


def shoot_review(model_dir: str, out: Path, profile: Path, tmp: Path) -> Path:
    """The review page 复核 on the seed article's paragraphs (loaded with
    ``dangjian review load``), after two of them were reviewed by keyboard."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
    from werkzeug.serving import make_server

    from dangjian.service.app import create_app

    dangjian = Path(sys.executable).parent / "dangjian"
    labels, db = tmp / "seed.jsonl", tmp / "review.sqlite"
    subprocess.run([str(dangjian), "label", str(SEED), "-o", str(labels), "--model", model_dir, "--no-progress"], check=True)
    subprocess.run([str(dangjian), "review", "load", str(labels), "--db", str(db), "--model", model_dir], check=True)
    app = create_app({"MODEL_DIR": model_dir, "REVIEW_DB": str(db)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    driver = browser(1280, 860, profile)
    try:
        driver.get(f"http://127.0.0.1:{server.server_port}/review")
        WebDriverWait(driver, 60).until(lambda d: d.find_element("id", "card").is_displayed())
        for n in (1, 2):  # two paragraphs confirmed as the model labelled them
            ActionChains(driver).send_keys(Keys.ENTER).perform()
            WebDriverWait(driver, 30).until(lambda d, n=n: f"已复核 {n} /" in d.find_element("id", "progress").text)
        target = out / "screenshot-review.png"
        driver.save_screenshot(str(target))
        return target
    finally:
        driver.quit()
        server.shutdown()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(REPO / "models" / "latest"), help="bundle directory")
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="where the PNG files go")
    parser.add_argument("--only", choices=("page", "report", "review"), action="append",
                        help="only these screenshots (repeatable; default: all)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import jieba

    jieba.setLogLevel(logging.WARNING)
    args.out.mkdir(parents=True, exist_ok=True)
    dangjian = Path(sys.executable).parent / "dangjian"
    wanted = set(args.only or ("page", "report", "review"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shots = []
        if "report" in wanted:
            n = demo_input(tmp / "news.jsonl")
            report = tmp / "report.html"
            subprocess.run([str(dangjian), "label", str(tmp / "news.jsonl"), "-o", str(tmp / "labels.jsonl"),
                            "--model", args.model, "--report", str(report), "--no-progress"], check=True)
            logger.info("labelled %d news items into %s", n, report)
            shots += shoot_report(report, args.out, tmp / "chrome-report")
        if "page" in wanted:
            shots.append(shoot_page(args.model, args.out, tmp / "chrome-page"))
        if "review" in wanted:
            shots.append(shoot_review(args.model, args.out, tmp / "chrome-review", tmp))
    for shot in shots:
        print(f"{shot.relative_to(REPO) if shot.is_relative_to(REPO) else shot}: {shot.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
