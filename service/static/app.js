// The analyst page. Everything that comes from the article is put into the
// page with textContent / createTextNode only, never innerHTML, so pasted
// markup stays visible text and never runs.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const NOTHING_TO_LABEL = "没有可以标注的段落：清理后没有剩下正文。粘贴的内容可能只有标题、来源、作者、日期、"
    + "版权声明等网页附带信息，或者太短。请粘贴文章正文后再分析。";
  const textArea = $("text"), titleInput = $("title"), button = $("submit"), status = $("status");

  const { el, highlighted } = window.dangjianDom;

  function setStatus(message, isError) {
    status.textContent = message;
    status.className = isError ? "error" : "";
  }

  function evidenceThemes(paragraph) {
    return window.dangjianDom.evidenceThemes(paragraph.themes, paragraph.evidence, {});
  }

  // A topic's top words, leaving out those its name already shows
  // (a residual topic is named by its first words: 其他：农业 中国 企业).
  function otherWords(topic, n) {
    const named = new Set(topic.name.replace(/^[^：]*：/, "").split(" "));
    return topic.words.filter((w) => !named.has(w)).slice(0, n).join(" ");
  }

  function themeTag(theme, isPrimary) {
    const tag = el("span", "tag t-" + theme.id + (isPrimary ? " primary" : ""), theme.name + " " + theme.score.toFixed(2));
    tag.title = theme.id + (isPrimary ? "（主主题）" : "");
    return tag;
  }

  function renderShares(article) {
    const box = $("shares");
    box.replaceChildren();
    if (!article.themes.length) {
      box.appendChild(el("p", "muted", "未识别出任何主题。"));
    }
    for (const t of article.themes) {
      const row = el("div", "bar");
      row.appendChild(el("span", "label", t.name));
      const track = el("span", "track");
      const fill = el("span", "fill t-" + t.id);
      fill.style.display = "block";
      fill.style.width = Math.round(t.share * 100) + "%";
      track.appendChild(fill);
      row.appendChild(track);
      row.appendChild(el("span", "value", Math.round(t.share * 100) + "%"));
      box.appendChild(row);
    }
    $("coverage").textContent = "有主题的段落占全文 " + Math.round(article.coverage * 100) + "%";
  }

  function renderParagraphs(paragraphs) {
    const list = $("paragraphs");
    list.replaceChildren();
    for (const p of paragraphs) {
      const item = el("li", "paragraph");
      item.dataset.index = p.index;
      if (p.heading) item.appendChild(el("div", "heading", p.heading));
      item.appendChild(highlighted(p.text, evidenceThemes(p)));
      const tags = el("div", "tags");
      if (!p.themes.length) tags.appendChild(el("span", "tag none", "无主题"));
      for (const t of p.themes) tags.appendChild(themeTag(t, t.id === p.primary));
      item.appendChild(tags);
      for (const t of p.themes) {
        const words = p.evidence[t.id] || [];
        if (!words.length) continue;
        const line = el("div", "evidence");
        line.appendChild(el("span", "swatch t-" + t.id));
        line.appendChild(document.createTextNode(t.name + " 依据：" + words.join("、")));
        item.appendChild(line);
      }
      if (p.topics.length) {
        item.appendChild(el("div", "para-topics",
          "话题：" + p.topics.map((t) => t.name + "（" + Math.round(t.weight * 100) + "%）" + otherWords(t, 4)).join("；")));
      }
      list.appendChild(item);
    }
  }

  function renderTopics(paragraphs) {
    const seen = new Map();
    for (const p of paragraphs) for (const t of p.topics) {
      const prev = seen.get(t.id);
      seen.set(t.id, { topic: t, weight: (prev ? prev.weight : 0) + t.weight });
    }
    const list = $("topics");
    list.replaceChildren();
    const items = Array.from(seen.values()).sort((a, b) => b.weight - a.weight);
    if (!items.length) list.appendChild(el("li", "muted", "无"));
    for (const { topic } of items) {
      list.appendChild(el("li", null, "【" + topic.name + "】" + otherWords(topic, topic.words.length)));
    }
  }

  async function analyse() {
    const text = textArea.value;
    if (!text.trim()) { setStatus("请先粘贴文章。", true); return; }
    button.disabled = true;
    setStatus("分析中…", false);
    try {
      const body = { text: text };
      if (titleInput.value.trim()) body.title = titleInput.value.trim();
      const response = await fetch("/v1/classify", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const data = await response.json();
      if (!response.ok) { setStatus("出错：" + data.error.message, true); return; }
      if (!data.paragraphs.length) {
        // Cleaning drops bylines, sources, dates, copyright and share lines;
        // when that is all the text had, there is no paragraph to label.
        $("results").hidden = true;
        setStatus(NOTHING_TO_LABEL, true);
        return;
      }
      renderShares(data.article);
      renderParagraphs(data.paragraphs);
      renderTopics(data.paragraphs);
      $("results").hidden = false;
      setStatus("共 " + data.paragraphs.length + " 段。", false);
    } catch (err) {
      setStatus("请求失败：" + err, true);
    } finally {
      button.disabled = false;
    }
  }

  // Read a dropped .txt file: UTF-8 first, GB18030 when UTF-8 does not fit.
  async function readFile(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch (e) {
      return new TextDecoder("gb18030").decode(bytes);
    }
  }

  textArea.addEventListener("dragover", (e) => { e.preventDefault(); textArea.classList.add("dragover"); });
  textArea.addEventListener("dragleave", () => textArea.classList.remove("dragover"));
  textArea.addEventListener("drop", async (e) => {
    e.preventDefault();
    textArea.classList.remove("dragover");
    const file = e.dataTransfer.files[0];
    if (!file) return;
    textArea.value = await readFile(file);
    setStatus("已读入 " + file.name, false);
  });
  button.addEventListener("click", analyse);
})();
