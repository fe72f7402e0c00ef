// DOM helpers shared by the analyst page (app.js) and the review page
// (review.js). Text goes in through textContent / createTextNode only, never
// innerHTML, so markup in an article stays visible text and never runs.
(function () {
  "use strict";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // The paragraph text with every occurrence of an evidence term in a <mark>
  // coloured as its theme (class m-<theme id>, styled from the one palette).
  // termThemes: term -> {id, name}; a term that is evidence for several
  // themes takes the colour of the first (highest-scoring) one.
  function highlighted(text, termThemes, className) {
    const container = el("div", className || "para-text");
    const words = Array.from(termThemes.keys()).filter((t) => t.length > 0).sort((a, b) => b.length - a.length);
    let i = 0, plain = "";
    while (i < text.length) {
      const hit = words.find((w) => text.startsWith(w, i));
      if (hit) {
        if (plain) { container.appendChild(document.createTextNode(plain)); plain = ""; }
        const theme = termThemes.get(hit);
        const mark = el("mark", "m-" + theme.id, hit);
        mark.dataset.theme = theme.id;
        mark.title = theme.name;
        container.appendChild(mark);
        i += hit.length;
      } else {
        plain += text[i];
        i += 1;
      }
    }
    if (plain) container.appendChild(document.createTextNode(plain));
    return container;
  }

  // term -> {id, name} from a paragraph's themes (highest first) and its
  // evidence (theme id -> words); names: theme id -> Chinese name.
  function evidenceThemes(themes, evidence, names) {
    const termThemes = new Map();
    for (const t of themes) {
      for (const word of evidence[t.id] || []) {
        if (!termThemes.has(word)) termThemes.set(word, { id: t.id, name: t.name || names[t.id] || t.id });
      }
    }
    return termThemes;
  }

  window.dangjianDom = { el, highlighted, evidenceThemes };
})();
