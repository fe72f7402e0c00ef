"""A self-contained HTML report of a labeling run (``dangjian label --report``).

One streaming pass over the labeled rows gathers: theme shares overall; theme
shares over time (by month or by year, whichever the data supports, see
:func:`choose_period`) with the number of articles in each period; theme
shares by region (or a note on how to add a ``region`` field); the top
paragraphs of each theme; and the LDA topics as an intertopic distance map in
the manner of pyLDAvis (:mod:`dangjian.model.topic_map`).

The page needs no network: the charts are inline SVG drawn here, the little
interaction (legend highlighting, the topic map's word panel) is a short
inline script. Every piece of text from the articles or the model is
HTML-escaped; the data the script reads is JSON inside a
``<script type="application/json">`` element with ``<``, ``>`` and ``&``
escaped, and the script writes it with ``textContent`` only. Colours come from
the one palette (:mod:`dangjian.model.palette`), dates from the one normaliser
(:mod:`dangjian.model.dates`).
"""
from __future__ import annotations

import heapq
import html
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from dangjian.model.dates import date_parts, normalise_date
from dangjian.model.palette import RESIDUAL_COLOUR
from dangjian.model.shares import unit_theme_weights

# Marks the page as this command's output, so a later run may replace it.
REPORT_GENERATOR = "dangjian-topics label report"

TOP_PARAGRAPHS = 5
MAX_REGIONS = 30
MONTHLY_MAX_SPAN = 36        # months: a longer span is drawn by year
MONTHLY_MIN_PER_PERIOD = 3   # articles per month on average, else by year
TOPIC_MAP_WORDS = 15
RESIDUAL_OUTLINE = "#888888"  # residual topics: the pale grey needs a visible edge and bar
NO_THEME_COLOUR = "#EEEEEE"  # the part of a region's text without a theme
FEW_ARTICLES = 5             # a period with fewer articles is drawn with hollow points

esc = html.escape


def choose_period(month_counts: dict[str, int]) -> str:
    """``"month"`` or ``"year"``: the period the trend chart uses, given the
    number of articles per month (``{"YYYY-MM": n}``). Months when the data
    spans at most :data:`MONTHLY_MAX_SPAN` months with on average at least
    :data:`MONTHLY_MIN_PER_PERIOD` articles a month, or lies within one year
    (by year it would be a single point); years otherwise."""
    months = sorted(m for m, n in month_counts.items() if n > 0)
    if not months:
        return "year"
    if months[0][:4] == months[-1][:4]:
        return "month"
    span = _month_index(months[-1]) - _month_index(months[0]) + 1
    total = sum(month_counts.values())
    return "month" if span <= MONTHLY_MAX_SPAN and total / span >= MONTHLY_MIN_PER_PERIOD else "year"


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def period_range(first: str, last: str, period: str) -> list[str]:
    """Every period from ``first`` to ``last`` inclusive (``YYYY-MM`` or ``YYYY``),
    so that a period without articles shows as a gap, not as a shortcut."""
    if period == "year":
        return [str(y) for y in range(int(first), int(last) + 1)]
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(_month_index(first), _month_index(last) + 1)]


def _normalise(totals: dict[str, float]) -> dict[str, float]:
    grand = sum(totals.values())
    return {k: v / grand for k, v in totals.items()} if grand else {}


@dataclass
class _Tally:
    """Theme weights (characters, see :func:`unit_theme_weights`), all characters
    and article count of one group (a period or a region)."""

    weights: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    chars: int = 0
    articles: int = 0

    def text_shares(self) -> dict[str, float]:
        """Each theme's share of all the group's text (paragraphs without a theme
        count too, so a period with one themed paragraph does not show 100%)."""
        return {t: w / self.chars for t, w in self.weights.items()} if self.chars else {}


@dataclass
class ReportData:
    """What one pass over the labeled rows gathers for the report."""

    overall: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    by_month: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    by_year: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    by_region: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    top: dict[str, list] = field(default_factory=dict)
    topic_weight: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    articles: int = 0
    units: int = 0
    themed_units: int = 0
    dated_articles: int = 0
    year_only_articles: int = 0
    regional_articles: int = 0
    first_date: str | None = None
    last_date: str | None = None

    @classmethod
    def gather(cls, rows: Iterable[dict], theme_ids: list[str]) -> "ReportData":
        data = cls(top={t: [] for t in theme_ids})
        seen: set[str] = set()
        for row in rows:
            data._add(row, seen)
        return data

    def _add(self, row: dict, seen: set[str]) -> None:
        self.units += 1
        if row["themes"]:
            self.themed_units += 1
        parts = date_parts(row.get("date"))
        year = f"{parts[0]:04d}" if parts else None
        month = f"{parts[0]:04d}-{parts[1]:02d}" if parts and parts[1] else None
        region = str(row["region"]).strip() if row.get("region") not in (None, "") else None
        new_article = row["content_hash"] not in seen
        if new_article:
            seen.add(row["content_hash"])
            self.articles += 1
            if parts:
                self.dated_articles += 1
                self.by_year[year].articles += 1
                if month:
                    self.by_month[month].articles += 1
                else:
                    self.year_only_articles += 1
                day = normalise_date(row.get("date"))
                self.first_date = min(self.first_date or day, day)
                self.last_date = max(self.last_date or day, day)
            if region:
                self.regional_articles += 1
                self.by_region[region].articles += 1
        groups = ([self.by_year[year]] if year else []) + ([self.by_month[month]] if month else []) \
            + ([self.by_region[region]] if region else [])
        for group in groups:
            group.chars += len(row["text"])
        for tid, weight in unit_theme_weights(row).items():
            self.overall[tid] += weight
            for group in groups:
                group.weights[tid] += weight
        for t in row["themes"]:
            item = (t["score"], -self.units, row["text"], row.get("title") or row["doc"], normalise_date(row.get("date")))
            heap = self.top.setdefault(t["id"], [])
            if len(heap) < TOP_PARAGRAPHS:
                heapq.heappush(heap, item)
            else:
                heapq.heappushpop(heap, item)
        for tp in row.get("topics") or []:
            self.topic_weight[int(tp["id"])] += tp["weight"] * len(row["text"])


# -- charts (inline SVG) --------------------------------------------------------------------------


def _bars_svg(items: list[tuple[str, float, str]], width: int = 640) -> str:
    """Horizontal bars: (label, value in [0,1], colour)."""
    row, label_w = 24, 150
    h = row * len(items) + 4
    parts = [f'<svg role="img" width="{width}" height="{h}" viewBox="0 0 {width} {h}">']
    for i, (label, value, colour) in enumerate(items):
        y = i * row + 2
        w = max(0.0, value) * (width - label_w - 60)
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="13">{esc(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="16" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="12">{100 * value:.1f}%</text>')
    parts.append("</svg>")
    return "".join(parts)


def _stacked_svg(groups: list[tuple[str, int, dict[str, float]]], themes, names, colours, width: int = 900) -> str:
    """One bar per group (region): its theme shares of all its text, the rest
    (paragraphs without a theme) in light grey, and its article count."""
    row, label_w, count_w = 26, 120, 70
    h = row * len(groups) + 4
    span = width - label_w - count_w - 10
    parts = [f'<svg role="img" width="{width}" height="{h}" viewBox="0 0 {width} {h}">']
    for i, (label, n_articles, shares) in enumerate(groups):
        y = i * row + 2
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" font-size="13">{esc(label)}</text>')
        x = float(label_w)
        for t in themes:
            w = shares.get(t, 0.0) * span
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="18" fill="{colours[t]}">'
                             f'<title>{esc(label)} · {esc(names[t])} {100 * shares[t]:.1f}%</title></rect>')
                x += w
        if x < label_w + span - 0.5:
            parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{label_w + span - x:.1f}" height="18" fill="{NO_THEME_COLOUR}">'
                         f'<title>{esc(label)} · 无主题 {100 * (1 - sum(shares.values())):.1f}%</title></rect>')
        parts.append(f'<text x="{label_w + span + 8}" y="{y + 16}" font-size="12" class="count">{n_articles} 篇</text>')
    parts.append("</svg>")
    return "".join(parts)


def _axis_step(value: float) -> float:
    """A round tick step giving at most about eight ticks up to ``value``."""
    return next((step for step in (0.01, 0.02, 0.05, 0.1, 0.2) if value / step <= 8), 0.2)


def _nice_max(value: float) -> float:
    step = _axis_step(value)
    return max(step, min(1.0, math.ceil(value / step - 1e-9) * step))


def _line_chart_svg(periods: list[str], tallies: list[_Tally | None], themes, names, colours) -> str:
    """Theme shares per period as one line per theme, and below the axis the
    number of articles in each period. A period without articles breaks the
    lines. Each point's tooltip names theme, period, share and article count."""
    width, left, right, top, plot_h = 940, 52, 16, 14, 280
    plot_w = width - left - right
    n = len(periods)
    step = plot_w / n
    shares = [(t.text_shares() if t and t.articles else None) for t in tallies]
    counts = [t.articles if t else 0 for t in tallies]
    y_max = _nice_max(max((s.get(th, 0.0) for s in shares if s for th in themes), default=0.0))
    label_every = max(1, math.ceil(n * 58 / plot_w))
    axis_y = top + plot_h
    count_top, count_h = axis_y + 34, 46
    height = count_top + count_h + 22

    def x_of(i: int) -> float:
        return left + (i + 0.5) * step

    def y_of(v: float) -> float:
        return top + plot_h * (1 - v / y_max)

    parts = [f'<svg role="img" class="trend" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-label="各主题占比随时间的变化">']
    tick = _axis_step(y_max)
    k = 0
    while k * tick <= y_max + 1e-9:
        v = k * tick
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y_of(v):.1f}" y2="{y_of(v):.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y_of(v) + 4:.1f}" text-anchor="end" font-size="11">{round(100 * v)}%</text>')
        k += 1
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{axis_y}" y2="{axis_y}" class="axis"/>')
    parts.append(f'<text x="12" y="{top + plot_h / 2:.0f}" font-size="12" transform="rotate(-90 12 {top + plot_h / 2:.0f})" '
                 f'text-anchor="middle">占全部文字的比例</text>')
    for i, period in enumerate(periods):
        if i % label_every == 0:
            parts.append(f'<text x="{x_of(i):.1f}" y="{axis_y + 16}" text-anchor="middle" font-size="11">{esc(period)}</text>')
    for th in themes:
        segments, current = [], []
        for i, s in enumerate(shares):
            if s is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((x_of(i), y_of(s.get(th, 0.0))))
        if current:
            segments.append(current)
        d = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in seg) for seg in segments)
        parts.append(f'<g class="series" data-theme="{th}"><path d="{d}" fill="none" stroke="{colours[th]}" stroke-width="2"/>')
        for i, s in enumerate(shares):
            if s is not None:
                fill = colours[th] if counts[i] >= FEW_ARTICLES else "#ffffff"
                parts.append(f'<circle cx="{x_of(i):.1f}" cy="{y_of(s.get(th, 0.0)):.1f}" r="3" fill="{fill}" '
                             f'stroke="{colours[th]}" stroke-width="1.5">'
                             f'<title>{esc(names[th])} · {esc(periods[i])}：{100 * s.get(th, 0.0):.1f}%（{counts[i]} 篇文章）</title></circle>')
        parts.append("</g>")
    # The number of articles per period: small bars with the figure on top.
    max_count = max(counts) or 1
    parts.append(f'<text x="{left - 6}" y="{count_top + count_h - 2}" text-anchor="end" font-size="11">文章数</text>')
    bar_w = max(2.0, min(28.0, step * 0.7))
    for i, c in enumerate(counts):
        h = count_h * c / max_count
        parts.append(f'<rect class="count-bar" x="{x_of(i) - bar_w / 2:.1f}" y="{count_top + count_h - h:.1f}" '
                     f'width="{bar_w:.1f}" height="{h:.1f}"><title>{esc(periods[i])}：{c} 篇文章</title></rect>')
        if step >= 22 or c == max_count:
            parts.append(f'<text class="count" x="{x_of(i):.1f}" y="{count_top + count_h - h - 3:.1f}" '
                         f'text-anchor="middle" font-size="10">{c}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend(themes, names, colours) -> str:
    items = "".join(f'<button type="button" class="legend-item" data-theme="{t}"><i class="sw" style="background:{colours[t]}">'
                    f'</i>{esc(names[t])}</button>' for t in themes)
    return f'<div class="legend" role="group" aria-label="图例">{items}</div>'


# -- sections --------------------------------------------------------------------------------------


def _trend_section(data: ReportData, themes, names, colours) -> list[str]:
    out = ["<h2 id=\"trend\">主题随时间的变化</h2>"]
    if not data.dated_articles:
        out.append('<p class="note">这批文章没有可识别的日期，无法显示随时间的变化。在 JSON Lines 或 CSV 输入中给每篇文章加一个 '
                   '<code>date</code> 字段（如 <code>2020-05-03</code>、<code>2020年5月3日</code>、<code>20200503</code>），'
                   '<code>dangjian label</code> 会把它带到输出和本报告中。</p>')
        return out
    period = choose_period({m: t.articles for m, t in data.by_month.items()})
    if period == "month" and data.by_month:
        source = data.by_month
    else:
        period, source = "year", data.by_year
    keys = sorted(source)
    periods = period_range(keys[0], keys[-1], period)
    tallies = [source.get(p) for p in periods]
    unit = "月" if period == "month" else "年"
    out.append(f'<p class="muted">按{unit}统计：每个时期内各主题的文字占该时期全部文字的比例（有几个主题的段落，'
               f'字数按主题得分分配；没有主题的段落只计入分母），下方为各时期的文章数；文章少的时期比例波动大（空心点：该时期不到 {FEW_ARTICLES} 篇文章）。{len(periods)} 个时期，{data.dated_articles} 篇有日期的文章'
               f'（{esc(data.first_date or "")} 至 {esc(data.last_date or "")}）。</p>')
    notes = []
    if data.articles > data.dated_articles:
        notes.append(f"{data.articles - data.dated_articles} 篇文章没有可识别的日期，未计入此图")
    if period == "month" and data.year_only_articles:
        notes.append(f"{data.year_only_articles} 篇文章只有年份，未计入按月的图")
    if notes:
        out.append(f'<p class="note">{"；".join(notes)}。</p>')
    out.append(_legend(themes, names, colours))
    out.append(f'<div class="chart" data-chart="trend">{_line_chart_svg(periods, tallies, themes, names, colours)}</div>')
    rows = ["<tr><th>时期</th><th>文章数</th><th>有主题的文字</th>"
            + "".join(f"<th>{esc(names[t])}</th>" for t in themes) + "</tr>"]
    for p, tally in zip(periods, tallies):
        shares = tally.text_shares() if tally and tally.articles else {}
        themed = f"{100 * sum(shares.values()):.1f}%" if shares or (tally and tally.articles) else ""
        rows.append(f"<tr><td>{esc(p)}</td><td>{tally.articles if tally else 0}</td><td>{themed}</td>"
                    + "".join(f"<td>{100 * shares[t]:.1f}%</td>" if t in shares else "<td></td>" for t in themes) + "</tr>")
    out.append(f'<details><summary>数据表</summary><table class="data">{"".join(rows)}</table></details>')
    return out


def _region_section(data: ReportData, themes, names, colours) -> list[str]:
    out = ["<h2 id=\"region\">按地区</h2>"]
    if not data.by_region:
        out.append('<p class="note">这批文章没有地区信息（<code>region</code> 字段），所以没有按地区的比较。要按地区比较，'
                   '请在 JSON Lines 或 CSV 输入中给每篇文章加一个 <code>region</code> 字段（如 '
                   '<code>{"id": "a1", "region": "山东", "text": "…"}</code>，或 CSV 的 <code>region</code> 列），'
                   '<code>dangjian label</code> 会把它带到输出和本报告中。</p>')
        return out
    regions = sorted(data.by_region, key=lambda g: (-data.by_region[g].articles, g))
    shown = regions[:MAX_REGIONS]
    more = f"，只显示文章最多的 {MAX_REGIONS} 个" if len(regions) > MAX_REGIONS else ""
    out.append(f'<p class="muted">{len(regions)} 个地区{more}；{data.regional_articles} 篇文章带有地区。'
               f'每条为该地区全部文字：彩色为各主题所占比例，浅灰为没有主题的段落；右侧为文章数。</p>')
    if data.articles > data.regional_articles:
        out.append(f'<p class="note">{data.articles - data.regional_articles} 篇文章没有地区，未计入。</p>')
    out.append(_legend(themes, names, colours))
    out.append(_stacked_svg([(g, data.by_region[g].articles, data.by_region[g].text_shares()) for g in shown],
                            themes, names, colours))
    return out


def _json_for_script(value) -> str:
    """JSON that is safe inside a <script> element: no "</script>", no "<!--"."""
    text = json.dumps(value, ensure_ascii=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _topic_map_section(model, data: ReportData, names, colours) -> list[str]:
    topics = model.describe_topics(12)
    if not topics:
        return ["<h2 id=\"topics\">话题地图（LDA）</h2>", '<p class="note">这个模型没有 LDA 话题模型，所以没有话题地图。</p>']
    weights = [data.topic_weight.get(tp["id"], 0.0) for tp in topics]
    tmap = model.topic_map(weights)
    out = ["<h2 id=\"topics\">话题地图（LDA）</h2>",
           '<p class="muted">每个圆是一个 LDA 话题：位置按话题词分布之间的距离（Jensen-Shannon 距离，经典多维标度）排列，'
           '相近的话题用词相近；圆的面积是话题在本批段落中的权重（段落字数×话题权重）；颜色是话题对应的码本主题，'
           '灰色为其他话题。点击或悬停一个圆查看它的关键词：灰条为词在全部话题中的总体频率，彩条为其中属于该话题的部分；'
           'λ 越小，越突出该话题特有的词（λ=1 按词在话题中的概率排序）。把鼠标移到一个词上，圆的大小变为这个词在各话题中的分布。</p>']
    size, pad = 460, 56
    xs, ys = tmap.x, tmap.y
    extent = max([abs(v) for v in xs + ys] + [1e-9])
    max_share = max(tmap.share) or 1.0
    scale = (size / 2 - pad) / extent
    svg = [f'<svg role="img" class="topic-map" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
           f'aria-label="话题地图">',
           f'<line x1="0" x2="{size}" y1="{size / 2}" y2="{size / 2}" class="grid"/>',
           f'<line y1="0" y2="{size}" x1="{size / 2}" x2="{size / 2}" class="grid"/>',
           f'<text x="{size - 4}" y="{size / 2 - 4}" text-anchor="end" font-size="11" class="muted-svg">PC1</text>',
           f'<text x="{size / 2 + 4}" y="12" font-size="11" class="muted-svg">PC2</text>']
    payload = []
    order = sorted(range(len(topics)), key=lambda k: -tmap.share[k])  # small circles drawn last, on top
    for k in order:
        tp = topics[k]
        theme = tp["theme"]
        colour = colours.get(theme, RESIDUAL_COLOUR)
        outline = colour if theme in colours else RESIDUAL_OUTLINE
        r = max(6.0, 46.0 * math.sqrt(tmap.share[k] / max_share))
        cx, cy = size / 2 + xs[k] * scale, size / 2 - ys[k] * scale
        svg.append(f'<g class="topic" data-topic="{tp["id"]}" tabindex="0" role="button">'
                   f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" data-r="{r:.1f}" fill="{colour}" fill-opacity="0.6" stroke="{outline}"/>'
                   f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle" font-size="12">{tp["id"]}</text>'
                   f'<title>#{tp["id"]} {esc(tp["name"])}（{100 * tmap.share[k]:.1f}%）：{esc(" ".join(tp["words"][:8]))}</title></g>')
    for k, tp in enumerate(topics):
        payload.append({"id": tp["id"], "name": tp["name"], "theme": tp["theme"],
                        "themeName": names.get(tp["theme"], "其他（不对应码本主题）"),
                        "colour": colours.get(tp["theme"], RESIDUAL_COLOUR),
                        "barColour": colours.get(tp["theme"], RESIDUAL_OUTLINE), "share": round(tmap.share[k], 5),
                        "terms": [[w, round(p, 7), round(pw, 7)] for w, p, pw in tmap.terms[k]]})
    svg.append("</svg>")
    out.append('<div class="topic-map-box">' + "".join(svg) +
               '<div class="topic-panel" id="topic-panel"><h3 id="tm-title"></h3><p id="tm-theme" class="muted"></p>'
               '<label for="tm-lambda">λ = <span id="tm-lambda-value">0.6</span></label>'
               '<input id="tm-lambda" type="range" min="0" max="1" step="0.1" value="0.6">'
               '<div id="tm-words" class="tm-words"></div></div></div>')
    word_topics = {w: [float(f"{v:.4g}") for v in probs] for w, probs in tmap.word_topics.items()}
    out.append(f'<script type="application/json" id="topic-data">'
               f'{_json_for_script({"topics": payload, "wordTopics": word_topics})}</script>')
    out.append("<table><tr><th>话题</th><th>对应主题</th><th>权重</th><th>高频词</th></tr>")
    for k, tp in enumerate(topics):
        out.append(f'<tr data-topic-row="{tp["id"]}"><td>#{tp["id"]} {esc(tp["name"])}</td>'
                   f'<td><i class="sw" style="background:{colours.get(tp["theme"], RESIDUAL_COLOUR)}"></i>'
                   f'{esc(names.get(tp["theme"], "其他"))}</td><td>{100 * tmap.share[k]:.1f}%</td>'
                   f'<td>{esc(" ".join(tp["words"]))}</td></tr>')
    out.append("</table>")
    return out


_STYLE = """
body{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei','PingFang SC','Microsoft YaHei',sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#222}
h1{color:#9b1c1c}table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;font-size:.9rem}
.muted{color:#666;font-size:.9rem}.note{background:#fff8e1;border-left:4px solid #DDCC77;padding:.5rem .8rem;font-size:.9rem}
.sw{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;border-radius:2px;vertical-align:-1px}
.legend{display:flex;flex-wrap:wrap;gap:.3rem .8rem;margin:.4rem 0}
.legend-item{font:inherit;font-size:.9rem;background:none;border:1px solid transparent;border-radius:4px;padding:.1rem .3rem;cursor:pointer}
.legend-item.on{border-color:#888}
svg text{fill:#333}svg .grid{stroke:#e5e5e5}svg .axis{stroke:#999}svg .count-bar{fill:#b8b8b8}svg .count{fill:#555}
.chart.dim .series{opacity:.12}.chart.dim .series.on{opacity:1}.chart.dim .series.on path{stroke-width:3.5}
table.data td{text-align:right;font-variant-numeric:tabular-nums}table.data td:first-child{text-align:left}
.topic-map-box{display:flex;gap:1.2rem;align-items:flex-start;flex-wrap:wrap}
.topic-map .topic{cursor:pointer}.topic-map .topic.selected circle{stroke:#222;stroke-width:2.5;fill-opacity:.85}
.topic-map .muted-svg{fill:#999}
.topic-panel{flex:1;min-width:300px}.topic-panel h3{margin:.2rem 0}
.tm-words .w{display:flex;align-items:center;gap:.4rem;font-size:.85rem;margin:.12rem 0}
.tm-words .w span{width:6em;text-align:right;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.tm-words .track{position:relative;flex:1;height:.8rem}
.tm-words .all{position:absolute;left:0;top:0;height:100%;background:#d9d9d9}
.tm-words .in{position:absolute;left:0;top:0;height:100%}
"""

# Legend highlighting and the topic map's word panel. Data goes into the page
# with textContent and style properties only.
_SCRIPT = """
(function () {
  "use strict";
  document.querySelectorAll(".legend").forEach(function (legend) {
    var chart = legend.nextElementSibling;
    if (!chart || !chart.classList.contains("chart")) return;
    var pinned = null;
    function show(theme) {
      chart.classList.toggle("dim", theme !== null);
      chart.querySelectorAll(".series").forEach(function (s) { s.classList.toggle("on", s.dataset.theme === theme); });
      legend.querySelectorAll(".legend-item").forEach(function (b) { b.classList.toggle("on", b.dataset.theme === theme); });
    }
    legend.querySelectorAll(".legend-item").forEach(function (b) {
      b.addEventListener("mouseenter", function () { show(b.dataset.theme); });
      b.addEventListener("mouseleave", function () { show(pinned); });
      b.addEventListener("click", function () { pinned = pinned === b.dataset.theme ? null : b.dataset.theme; show(pinned); });
    });
  });
  var dataNode = document.getElementById("topic-data");
  if (!dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var topics = data.topics, wordTopics = data.wordTopics;
  var circles = Array.prototype.slice.call(document.querySelectorAll(".topic-map .topic circle"));
  // How a word spreads over the topics, p(t|w) ~ p(w|t) p(t), shown as circle sizes.
  function showWord(word) {
    var probs = wordTopics[word];
    if (!probs) return;
    var weight = {};
    topics.forEach(function (t, k) { weight[t.id] = probs[k] * t.share; });
    var most = Math.max.apply(null, topics.map(function (t) { return weight[t.id]; })) || 1;
    circles.forEach(function (c) {
      var w = weight[c.parentNode.dataset.topic] || 0;
      c.setAttribute("r", Math.max(2, 46 * Math.sqrt(w / most)).toFixed(1));
    });
  }
  function resetSizes() { circles.forEach(function (c) { c.setAttribute("r", c.dataset.r); }); }
  var byId = {};
  topics.forEach(function (t) { byId[t.id] = t; });
  var slider = document.getElementById("tm-lambda");
  var current = null;
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function render() {
    if (!current) return;
    var lambda = parseFloat(slider.value);
    document.getElementById("tm-lambda-value").textContent = lambda.toFixed(1);
    document.getElementById("tm-title").textContent = "话题 #" + current.id + "：" + current.name;
    document.getElementById("tm-theme").textContent = "对应主题：" + current.themeName
      + "；权重 " + (100 * current.share).toFixed(1) + "%";
    var terms = current.terms.map(function (t) {
      return { word: t[0], p: t[1], pw: t[2],
               rel: lambda * Math.log(t[1] + 1e-300) + (1 - lambda) * Math.log((t[1] + 1e-300) / (t[2] + 1e-300)) };
    }).sort(function (a, b) { return b.rel - a.rel; }).slice(0, """ + str(TOPIC_MAP_WORDS) + """);
    var most = Math.max.apply(null, terms.map(function (t) { return t.pw; })) || 1;
    var box = document.getElementById("tm-words");
    box.replaceChildren();
    terms.forEach(function (t) {
      var row = el("div", "w");
      var label = el("span", null, t.word);
      label.title = t.word + "：话题内概率 " + (100 * t.p).toFixed(2) + "%";
      row.appendChild(label);
      var track = el("div", "track");
      var all = el("div", "all"); all.style.width = (100 * t.pw / most) + "%";
      var inTopic = el("div", "in"); inTopic.style.width = Math.min(100, 100 * t.p * current.share / most) + "%";
      inTopic.style.background = current.barColour;
      track.appendChild(all); track.appendChild(inTopic);
      row.appendChild(track);
      row.addEventListener("mouseenter", function () { showWord(t.word); });
      row.addEventListener("mouseleave", resetSizes);
      box.appendChild(row);
    });
  }
  function select(id) {
    current = byId[id];
    document.querySelectorAll(".topic-map .topic").forEach(function (g) {
      g.classList.toggle("selected", String(g.dataset.topic) === String(id));
    });
    render();
  }
  document.querySelectorAll(".topic-map .topic").forEach(function (g) {
    g.addEventListener("mouseenter", function () { select(g.dataset.topic); });
    g.addEventListener("click", function () { select(g.dataset.topic); });
    g.addEventListener("focus", function () { select(g.dataset.topic); });
  });
  slider.addEventListener("input", render);
  var largest = topics.slice().sort(function (a, b) { return b.share - a.share; })[0];
  if (largest) select(largest.id);
})();
"""


def render_report(data: ReportData, model) -> str:
    """The report page as one HTML string."""
    themes = model.codebook.ids
    names = {t.id: t.name for t in model.codebook.themes}
    colours = model.codebook.colours()
    shares = _normalise(data.overall)
    out = ["<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
           f"<meta name=\"generator\" content=\"{REPORT_GENERATOR}\"><title>主题标注报告</title><style>{_STYLE}</style></head><body>",
           "<h1>基层党建文本主题标注报告</h1>",
           f"<p class=\"muted\">模型 {esc(str(model.version))}；文章 {data.articles} 篇，段落 {data.units} 段，"
           f"其中有主题的段落 {data.themed_units} 段。"
           + (f"日期 {esc(data.first_date or '')} 至 {esc(data.last_date or '')}。" if data.dated_articles else "") + "</p>",
           '<p class="muted">目录：<a href="#overall">总体主题构成</a> · <a href="#trend">随时间的变化</a> · '
           '<a href="#region">按地区</a> · <a href="#top">各主题得分最高的段落</a> · <a href="#topics">话题地图</a></p>',
           "<h2 id=\"overall\">总体主题构成</h2>",
           _bars_svg([(names[t], shares.get(t, 0.0), colours[t]) for t in sorted(themes, key=lambda t: -shares.get(t, 0.0))])]
    out += _trend_section(data, themes, names, colours)
    out += _region_section(data, themes, names, colours)
    out.append("<h2 id=\"top\">各主题得分最高的段落</h2>")
    for t in themes:
        items = sorted(data.top.get(t, []), reverse=True)
        if not items:
            continue
        out.append(f"<h3><i class=\"sw\" style=\"background:{colours[t]}\"></i>{esc(names[t])}（{t}）</h3>"
                   "<table><tr><th>得分</th><th>段落</th><th>文章</th></tr>")
        for score, _, text, title, date in items:
            out.append(f"<tr><td>{score:.2f}</td><td>{esc(text)}</td>"
                       f"<td>{esc(str(title))}<br><span class=\"muted\">{esc(date or '')}</span></td></tr>")
        out.append("</table>")
    out += _topic_map_section(model, data, names, colours)
    out.append(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(out)


def write_report(path: Path, rows_factory: Callable[[], Iterable[dict]], model) -> None:
    """Write the report of the rows ``rows_factory()`` yields (one pass) to ``path``."""
    data = ReportData.gather(rows_factory(), model.codebook.ids)
    page = render_report(data, model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
