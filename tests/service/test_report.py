"""The HTML report (``dangjian label --report``), written from rows as the batch journal holds them."""
import hashlib
import json
import re

import pytest

from dangjian.service.report import choose_period, period_range, write_report


def make_row(doc, text, themes, date=None, region=None, title=None, topics=()):
    return {"doc": doc, "title": title or doc, "date": date, "region": region, "source": None, "index": 0,
            "heading": None, "text": text, "themes": [{"id": t, "name": t, "score": s} for t, s in themes],
            "primary": themes[0][0] if themes else None, "evidence": {}, "topics": [{"id": k, "weight": w} for k, w in topics],
            "fields": {}, "path": doc, "content_hash": hashlib.sha256(doc.encode()).hexdigest(), "n_units": 1}


def render(tmp_path, model, rows):
    path = tmp_path / "report.html"
    write_report(path, lambda: iter(rows), model)
    return path.read_text(encoding="utf-8")


def count_titles(page):
    """period -> article count, from the count bars' tooltips."""
    return {m.group(1): int(m.group(2)) for m in re.finditer(r'<rect class="count-bar"[^>]*><title>([^<：]+)：(\d+) 篇文章</title>', page)}


# Six months of articles dated in the forms found in inputs; none in May.
MONTHLY = [("a1", "2020年01月05日", "collective_economy"), ("a2", "2020-1-20", "collective_economy"),
           ("a3", "20200203", "governance"), ("a4", "2020/03/04 12:00", "governance"),
           ("a5", "2020.03.09", "governance"), ("a6", "2020年4月1日", "cadre_training"),
           ("a7", "2020-06-30T08:00:00+08:00", "governance")]


def test_report_draws_theme_shares_by_month_with_the_articles_per_period(tmp_path, small_model):
    rows = [make_row(doc, "村党支部领办合作社，带动增收。" * 3, [(theme, 0.9)], date=date) for doc, date, theme in MONTHLY]
    # a second paragraph of a March article, as long as the others, without a theme
    rows.insert(4, make_row("a4", ("今天天气晴朗，气温适宜。" * 4)[:45], [], date="2020/03/04 12:00"))
    page = render(tmp_path, small_model, rows)
    assert "主题随时间的变化" in page and "按月统计" in page
    assert '<svg role="img" class="trend"' in page
    assert count_titles(page) == {"2020-01": 2, "2020-02": 1, "2020-03": 2, "2020-04": 1, "2020-05": 0, "2020-06": 1}
    # one line per theme of the codebook, in its colour
    colours = small_model.codebook.colours()
    for tid in small_model.codebook.ids:
        assert f'<g class="series" data-theme="{tid}"><path d="M' in page
        assert f'stroke="{colours[tid]}"' in page
    # the data table gives each month's shares of all its text: in March two of
    # three equally long paragraphs are governance, the third has no theme
    table = page[page.index('<table class="data">'):]
    march = re.search(r"<tr><td>2020-03</td><td>2</td>(.*?)</tr>", table).group(1)
    assert march.count("66.7%") == 2  # themed text, and governance
    january = re.search(r"<tr><td>2020-01</td><td>2</td>(.*?)</tr>", table).group(1)
    assert january.count("100.0%") == 2
    # dates in the report are normalised
    assert "2020-01-05 至 2020-06-30" in page
    assert "2020年01月05日" not in page and "20200203" not in page


def test_report_draws_years_when_the_data_spans_many_years(tmp_path, small_model):
    rows = [make_row(f"y{year}", "开展党员冬训，组织集中学习。", [("cadre_training", 0.8)], date=f"{year}0315")
            for year in range(2012, 2021) if year != 2016]
    rows.append(make_row("undated", "网格员走访群众。", [("governance", 0.7)]))
    page = render(tmp_path, small_model, rows)
    assert "按年统计" in page
    counts = count_titles(page)
    assert list(counts) == [str(y) for y in range(2012, 2021)]
    assert counts["2016"] == 0 and counts["2012"] == 1
    assert "1 篇文章没有可识别的日期" in page


def test_report_without_dates_says_how_to_add_them(tmp_path, small_model):
    page = render(tmp_path, small_model, [make_row("a", "网格员走访群众。", [("governance", 0.7)])])
    assert "主题随时间的变化" in page and "没有可识别的日期" in page and "<code>date</code>" in page
    assert 'class="trend"' not in page


@pytest.mark.parametrize("months, expected", [
    ({"2020-01": 1, "2020-07": 1}, "month"),                          # within one year: months
    ({f"2019-{m:02d}": 5 for m in range(1, 13)} | {"2020-03": 5}, "month"),
    ({"2012-01": 1, "2015-06": 1, "2020-01": 1}, "year"),              # long span
    ({"2019-01": 1, "2020-06": 2}, "year"),                           # too few per month
    ({}, "year"),
])
def test_choose_period_uses_months_only_where_the_data_supports_them(months, expected):
    assert choose_period(months) == expected


def test_period_range_fills_the_gaps():
    assert period_range("2019-11", "2020-02", "month") == ["2019-11", "2019-12", "2020-01", "2020-02"]
    assert period_range("2018", "2020", "year") == ["2018", "2019", "2020"]


def test_report_compares_regions_with_their_article_counts(tmp_path, small_model):
    rows = [make_row(f"r{i}", "网格员走访群众，化解矛盾纠纷。", [("governance", 0.9)], region=region, date="2020-01-01")
            for i, region in enumerate(["山东", "山东", "浙江"])]
    rows.append(make_row("none", "村集体经济增收。", [("collective_economy", 0.9)]))
    page = render(tmp_path, small_model, rows)
    section = page[page.index('<h2 id="region">'):page.index('<h2 id="top">')]
    assert "2 个地区" in section and "1 篇文章没有地区" in section
    assert ">山东</text>" in section and ">2 篇</text>" in section and ">1 篇</text>" in section
    assert "没有地区信息" not in section


def test_report_without_regions_says_how_to_add_a_region_field(tmp_path, small_model):
    page = render(tmp_path, small_model, [make_row("a", "网格员走访群众。", [("governance", 0.7)], date="2020-01-01")])
    section = page[page.index('<h2 id="region">'):page.index('<h2 id="top">')]
    assert "没有地区信息" in section and "<code>region</code>" in section and "dangjian label" in section
    assert "<svg" not in section


def test_report_topic_map_shows_every_topic_with_words_and_theme(tmp_path, small_model):
    topics = small_model.describe_topics(10)
    rows = [make_row("a", "村党支部领办合作社，带动增收。", [("collective_economy", 0.9)], topics=[(0, 0.6), (1, 0.3)]),
            make_row("b", "网格员走访群众。", [("governance", 0.8)], topics=[(len(topics) - 1, 0.5)])]
    page = render(tmp_path, small_model, rows)
    assert "话题地图" in page
    svg = page[page.index('<svg role="img" class="topic-map"'):]
    svg = svg[:svg.index("</svg>")]
    assert sorted(int(k) for k in re.findall(r'<g class="topic" data-topic="(\d+)"', svg)) == [t["id"] for t in topics]
    payload = json.loads(re.search(r'<script type="application/json" id="topic-data">(.*?)</script>', page, re.S).group(1))
    data = payload["topics"]
    assert [d["id"] for d in data] == [t["id"] for t in topics]
    # every word shown can be looked up across the topics (circle sizes on hover)
    assert {w for d in data for w, _, _ in d["terms"]} <= set(payload["wordTopics"])
    assert all(len(v) == len(topics) for v in payload["wordTopics"].values())
    names = {t.id: t.name for t in small_model.codebook.themes}
    colours = small_model.codebook.colours()
    for d, t in zip(data, topics):
        assert d["theme"] == t["theme"]
        if t["theme"] in names:
            assert d["themeName"] == names[t["theme"]] and d["colour"] == colours[t["theme"]]
        assert len(d["terms"]) >= 15 and all(0 <= p <= 1 and 0 <= pw <= 1 for _, p, pw in d["terms"])
        assert set(t["words"][:5]) <= {w for w, _, _ in d["terms"]}
    assert sum(d["share"] for d in data) == pytest.approx(1.0, abs=1e-3)
    assert data[0]["share"] > data[2]["share"]  # topic 0 carries weight in this batch, topic 2 none


def test_report_escapes_hostile_titles_text_regions_and_dates(tmp_path, small_model):
    evil = '</script><script>window.__x=1</script><img src=x onerror="alert(1)">'
    rows = [make_row("d1", evil + "村党支部领办合作社，带动村集体经济增收。", [("collective_economy", 0.95)],
                     date=evil + " 2020-05-03", region=evil, title=evil, topics=[(0, 0.5)]),
            make_row("d2", "网格员走访群众。", [("governance", 0.8)], date="2020-06-01", region="<b>浙江</b>")]
    page = render(tmp_path, small_model, rows)
    assert evil not in page and "<img" not in page and "<b>" not in page
    assert "&lt;/script&gt;&lt;script&gt;window.__x=1" in page
    assert "&lt;b&gt;浙江&lt;/b&gt;" in page
    assert page.count("<script") == 2  # the topic data and the report's own script
    data_block = re.search(r'<script type="application/json" id="topic-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in data_block and ">" not in data_block
    assert "http" not in page.replace("http-equiv", "")  # nothing loaded from the network


def test_page_and_report_take_theme_colours_from_the_one_palette(tmp_path, small_model, client):
    from dangjian.model.palette import THEME_COLOURS

    colours = small_model.codebook.colours()
    assert colours == {t: THEME_COLOURS[t] for t in small_model.codebook.ids}
    page = client.get("/").get_data(as_text=True)
    report = render(tmp_path, small_model, [make_row("a", "网格员走访群众。", [("governance", 0.7)], date="2020-01-01")])
    for tid, colour in colours.items():
        assert re.search(rf"\.t-{tid} {{ background: {colour};", page)
        assert re.search(rf"mark\.m-{tid} {{[^}}]*border-bottom: 2px solid {colour};", page)
        assert f'data-theme="{tid}"><i class="sw" style="background:{colour}">' in report
    from importlib.resources import files

    style_css = files("dangjian.service.static").joinpath("style.css").read_text(encoding="utf-8")
    assert not re.search(r"#[0-9a-fA-F]{6}", "".join(l for l in style_css.splitlines() if ".t-" in l))


def test_report_of_no_rows_is_a_page_with_its_notes(tmp_path, small_model):
    page = render(tmp_path, small_model, [])
    assert "文章 0 篇" in page and "没有可识别的日期" in page and "没有地区信息" in page
    assert page.rstrip().endswith("</html>")
