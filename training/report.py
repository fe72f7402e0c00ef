"""The training report (``report.md`` in every bundle)."""
from __future__ import annotations


def _fmt(x) -> str:
    return f"{x:.3f}" if isinstance(x, (int, float)) else str(x)


def render_report(report: dict) -> str:
    lines = [f"# Training report: {report['model_version']}", ""]
    lines.append(f"- mode: **{report['mode']}**" + (" (no labels in data/labeled: seeded LDA and keywords only)"
                                                     if report["mode"] == "unsupervised" else ""))
    d = report["data"]
    lines.append(f"- units: {d['n_labeled']} labeled for training, {d['n_heldout']} held out, "
                 f"{d['n_topic_corpus']} in the topic-model corpus")
    if d.get("n_corrections") is not None:
        lines.append(f"- corrections from the review store: {d['n_corrections']} decide a training unit's label")
    lines.append(f"- training time: {report['seconds']:.0f} s")
    lines.append("")
    for section, key in (("Cross-validation (5 folds by article, on the training split)", "cv"),
                         ("Held-out split (all parts, by article)", "heldout")):
        block = report.get(key)
        if not block:
            continue
        lines += [f"## {section}", "", "| theme | support | classifier F1 | keyword baseline F1 | seeded-LDA baseline F1 |",
                  "|---|---|---|---|---|"]
        for t in report["themes"]:
            c, k, l = (block[m]["per_theme"][t] for m in ("classifier", "keyword_baseline", "lda_baseline"))
            lines.append(f"| {t} | {c['support']} | {c['f1']:.3f} | {k['f1']:.3f} | {l['f1']:.3f} |")
        lines.append("")
        lines.append("| | classifier | keyword baseline | seeded-LDA baseline |")
        lines.append("|---|---|---|---|")
        for m in ("micro_f1", "macro_f1", "exact_match", "primary_accuracy", "primary_accuracy_themed"):
            lines.append(f"| {m} | " + " | ".join(_fmt(block[x][m]) for x in ("classifier", "keyword_baseline", "lda_baseline")) + " |")
        lines.append("")
    for name, block in (report.get("heldout_parts") or {}).items():
        c, k = block["classifier"], block["keyword_baseline"]
        lines += [f"## Held-out part `{name}` ({c['n_units']} units, {c['n_themed']} with a theme)", "",
                  "| theme | support | classifier F1 | keyword baseline F1 |", "|---|---|---|---|"]
        for t in report["themes"]:
            lines.append(f"| {t} | {c['per_theme'][t]['support']} | {c['per_theme'][t]['f1']:.3f} | {k['per_theme'][t]['f1']:.3f} |")
        lines += ["", "| | classifier | keyword baseline |", "|---|---|---|"]
        for m in ("micro_f1", "macro_f1", "exact_match", "primary_accuracy", "primary_accuracy_themed"):
            lines.append(f"| {m} | {_fmt(c[m])} | {_fmt(k[m])} |")
        lines.append("")
    if report.get("thresholds"):
        lines += ["## Per-theme thresholds (chosen by cross-validated F1)", "",
                  ", ".join(f"{t} {v:.2f}" for t, v in report["thresholds"].items()), ""]
    lda = report["topic_model"]
    lines += ["## Topic model", "",
              "| K | c_v | NPMI | diversity | chosen |", "|---|---|---|---|---|"]
    for s in lda["candidates"]:
        lines.append(f"| {s['n_topics']} | {s['c_v']:.3f} | {s['c_npmi']:.3f} | {s['diversity']:.3f} | {'yes' if s['chosen'] else ''} |")
    lines += ["", "Seeding check: share of the top-20 words that are the theme's seed keywords, in the theme's "
              f"seeded topic, and in the closest topic of an unseeded LDA with K={lda['unseeded_n_topics']} on the same data:", "",
              "| theme | seeded | unseeded |", "|---|---|---|"]
    for t, v in lda["seed_word_share"].items():
        lines.append(f"| {t} | {v:.2f} | {lda['unseeded_seed_word_share'][t]:.2f} |")
    lines += ["", "| topic | theme | top words |", "|---|---|---|"]
    for topic in lda["topics"]:
        lines.append(f"| {topic['id']} | {topic['theme']} | {' '.join(topic['words'][:12])} |")
    if report.get("comparison"):
        c = report["comparison"]
        lines += ["", "## Against the previous bundle", "",
                  f"On {c['heldout_units']} held-out units: previous {c['previous']} macro-F1 {_fmt(c['previous_macro_f1'])}, "
                  f"new macro-F1 {_fmt(c['new_macro_f1'])} → {'promoted' if c['promoted'] else 'NOT promoted'} "
                  f"({c['reason']})."]
    return "\n".join(lines) + "\n"
