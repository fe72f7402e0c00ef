"""A self-contained HTML report of a labeling run (``dangjian label --report``).

One streaming pass over the labeled rows: theme shares overall, by year and
by region (when articles carry a date or region), the top paragraphs of each
theme, and the LDA topics with their prevalence and words. Charts are inline
SVG; every piece of text from the articles is HTML-escaped.
"""
from __future__ import annotations

import heapq
import html
import re
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable

from dangjian.model.shares import unit_theme_weights

# Marks the page as this command's output, so a later run may replace it.
REPORT_GENERATOR = "dangjian-topics label report"

TOP_PARAGRAPHS = 5
_YEAR = re.compile(r"((?:19|20)\d{2})")


def _year(value) -> str | None:
    m = _YEAR.search(str(value)) if value else None
    return m.group(1) if m else None


def _bars_svg(items: list[tuple[str, float, str]], width: int = 620) -> str:
    """Horizontal bars: (label, value in [0,1], colour)."""
    row, label_w = 24, 110
    h = row * len(items) + 4
    parts = [f'<svg role="img" width="{width}" height="{h}" viewBox="0 0 {width} {h}">']
    for i, (label, value, colour) in enumerate(items):
        y = i * row + 2
        w = max(0.0, value) * (width - label_w - 60)
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="13">{html.escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="16" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="12">{100 * value:.1f}%</text>')
    parts.append("</svg>")
    return "".join(parts)


def _stacked_svg(groups: list[tuple[str, dict[str, float]]], themes, names, width: int = 620) -> str:
    """One stacked bar per group (year or region) of theme shares."""
    row, label_w = 24, 110
    h = row * len(groups) + 4
    parts = [f'<svg role="img" width="{width}" height="{h}" viewBox="0 0 {width} {h}">']
    span = width - label_w - 10
    for i, (label, shares) in enumerate(groups):
        y = i * row + 2
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="13">{html.escape(label)}</text>')
        x = float(label_w)
        for t in themes:
            w = shares.get(t, 0.0) * span
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="16" fill="{COLOURS.get(t, "#888")}">'
                             f'<title>{html.escape(names[t])} {100 * shares[t]:.1f}%</title></rect>')
                x += w
    parts.append("</svg>")
    return "".join(parts)


def _normalise(totals: dict[str, float]) -> dict[str, float]:
    grand = sum(totals.values())
    return {k: v / grand for k, v in totals.items()} if grand else {}


def write_report(path: Path, rows_factory: Callable[[], Iterable[dict]], model) -> None:
    global COLOURS
    COLOURS = model.codebook.colours()
    themes = model.codebook.ids
    names = {t.id: t.name for t in model.codebook.themes}
    overall: dict[str, float] = defaultdict(float)
    by_year: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_region: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    top: dict[str, list] = {t: [] for t in themes}
    topic_weight: dict[int, float] = defaultdict(float)
    articles, units, themed_units = set(), 0, 0
    for r in rows_factory():
        units += 1
        articles.add(r["content_hash"])
        if r["themes"]:
            themed_units += 1
        year, region = _year(r.get("date")), r.get("region")
        for tid, weight in unit_theme_weights(r).items():
            overall[tid] += weight
            if year:
                by_year[year][tid] += weight
            if region:
                by_region[str(region)][tid] += weight
        for t in r["themes"]:
            item = (t["score"], -units, r["text"], r.get("title") or r["doc"], r.get("date"))
            if len(top[t["id"]]) < TOP_PARAGRAPHS:
                heapq.heappush(top[t["id"]], item)
            else:
                heapq.heappushpop(top[t["id"]], item)
        for tp in r.get("topics") or []:
            topic_weight[int(tp["id"])] += tp["weight"]

    shares = _normalise(overall)
    out = ["<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"generator\" content=\"" + REPORT_GENERATOR + "\"><title>主题标注报告</title><style>",
           "body{font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;max-width:980px;margin:2rem auto;color:#222}",
           "h1{color:#9b1c1c}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;font-size:.9rem}",
           ".muted{color:#666}.legend span{display:inline-block;margin-right:.8rem}.sw{display:inline-block;width:.8rem;height:.8rem;margin-right:.2rem}",
           "</style></head><body>",
           "<h1>基层党建文本主题标注报告</h1>",
           f"<p class=\"muted\">模型 {html.escape(str(model.version))}；文章 {len(articles)} 篇，段落 {units} 段，"
           f"其中有主题的段落 {themed_units} 段。</p>",
           "<h2>总体主题构成</h2>",
           _bars_svg([(names[t], shares.get(t, 0.0), COLOURS.get(t, "#888")) for t in sorted(themes, key=lambda t: -shares.get(t, 0.0))])]
    legend = "".join(f'<span><i class="sw" style="background:{COLOURS.get(t, "#888")}"></i>{html.escape(names[t])}</span>' for t in themes)
    if by_year:
        out += ["<h2>按年份</h2>", f'<p class="legend">{legend}</p>',
                _stacked_svg([(y, _normalise(by_year[y])) for y in sorted(by_year)], themes, names)]
    if by_region:
        regions = sorted(by_region, key=lambda g: -sum(by_region[g].values()))[:30]
        out += ["<h2>按地区</h2>", f'<p class="legend">{legend}</p>',
                _stacked_svg([(g, _normalise(by_region[g])) for g in regions], themes, names)]
    out.append("<h2>各主题得分最高的段落</h2>")
    for t in themes:
        items = sorted(top[t], reverse=True)
        if not items:
            continue
        out.append(f"<h3>{html.escape(names[t])}（{t}）</h3><table><tr><th>得分</th><th>段落</th><th>文章</th></tr>")
        for score, _, text, title, date in items:
            out.append(f"<tr><td>{score:.2f}</td><td>{html.escape(text)}</td>"
                       f"<td>{html.escape(str(title))}<br><span class=\"muted\">{html.escape(str(date or ''))}</span></td></tr>")
        out.append("</table>")
    topic_list = model.describe_topics(12)
    if topic_list:
        total = sum(topic_weight.values()) or 1.0
        out += ["<h2>主题模型话题（LDA）</h2>",
                "<p class=\"muted\">话题在本批段落中的权重（每段前几位话题的权重之和）与高频词；种子话题对应码本主题，其余为“其他”。</p>",
                _bars_svg([(f"#{tp['id']} {names.get(tp['theme'], '其他')}", topic_weight.get(tp["id"], 0.0) / total,
                            COLOURS.get(tp["theme"], "#888")) for tp in topic_list]),
                "<table><tr><th>话题</th><th>对应主题</th><th>高频词</th></tr>"]
        for tp in topic_list:
            out.append(f"<tr><td>#{tp['id']}</td><td>{html.escape(names.get(tp['theme'], '其他'))}</td>"
                       f"<td>{html.escape(' '.join(tp['words']))}</td></tr>")
        out.append("</table>")
    out.append("</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")
