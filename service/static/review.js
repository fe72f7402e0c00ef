// The review page (复核): one paragraph at a time from the review queue, its
// predicted themes, scores and evidence; the analyst toggles themes, sets the
// primary and confirms. Keys: 1-9 toggle a theme, Shift+1-9 make it primary,
// Enter confirms, J/K next/previous, U undoes the last change.
// Everything from the server goes into the page with textContent only.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const QUEUE_BATCH = 50;
  const SHIFTED_DIGITS = "!@#$%^&*(";
  const state = {
    themes: [],          // [{id, name}] in codebook order: key 1 is themes[0]
    units: [],           // units fetched from the queue, in queue order
    index: 0,            // the unit shown
    selection: new Map(),// unit id -> {labels: [ids], primary}
    confirmed: new Map(),// unit id -> the correction made on this page
    history: [],         // undo stack: {kind: "edit"|"confirm", unitId, labels, primary}
    progress: { reviewed: 0, queued: 0 },
    busy: false,
  };

  const { el } = window.dangjianDom;

  function setStatus(message, isError) {
    const status = $("status");
    status.textContent = message;
    status.className = isError ? "error" : "";
  }

  // The paragraph with every evidence term in its theme's colour (as on the analyst page).
  function showText(container, unit) {
    const names = Object.fromEntries(state.themes.map((t) => [t.id, t.name]));
    const marked = window.dangjianDom.highlighted(unit.text, window.dangjianDom.evidenceThemes(unit.themes, unit.evidence, names));
    container.replaceChildren(...marked.childNodes);
  }

  async function getJSON(url, options) {
    const response = await fetch(url, options);
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    return { ok: response.ok, status: response.status, body: body };
  }

  function current() { return state.units[state.index]; }

  function selectionOf(unit) {
    if (!state.selection.has(unit.id)) {
      state.selection.set(unit.id, { labels: unit.themes.map((t) => t.id), primary: unit.primary });
    }
    return state.selection.get(unit.id);
  }

  function renderProgress() {
    $("progress").textContent = "已复核 " + state.progress.reviewed + " / 共 " + state.progress.queued + " 段";
  }

  function render() {
    renderProgress();
    const unit = current();
    const card = $("card");
    if (!unit) {
      card.hidden = true;
      setStatus(state.units.length ? "队列已复核完毕。" : "队列中没有待复核的段落。", false);
      return;
    }
    card.hidden = false;
    card.classList.toggle("confirmed", state.confirmed.has(unit.id));
    card.dataset.unitId = unit.id;
    const meta = "第 " + (state.index + 1) + " 段 · 文章 " + unit.article + (unit.source ? " · 来源 " + unit.source : "") +
      (state.confirmed.has(unit.id) ? " · 已确认" : "");
    $("unit-meta").textContent = meta;
    showText($("unit-text"), unit);
    const sel = selectionOf(unit);
    const predicted = new Set(unit.themes.map((t) => t.id));
    const list = $("theme-list");
    list.replaceChildren();
    state.themes.forEach((theme, k) => {
      const on = sel.labels.includes(theme.id);
      const item = el("li", (on ? "on" : "") + (sel.primary === theme.id ? " primary" : "") +
        (predicted.has(theme.id) ? " predicted" : ""));
      item.dataset.theme = theme.id;
      item.setAttribute("aria-pressed", on ? "true" : "false");
      item.appendChild(el("span", "key", k + 1));
      item.appendChild(el("span", "name", theme.name));
      const star = el("span", "star", "★");
      star.title = "设为主主题";
      star.addEventListener("click", (e) => { e.stopPropagation(); setPrimary(theme.id); });
      item.appendChild(star);
      item.appendChild(el("span", "score", (unit.scores[theme.id] || 0).toFixed(2)));
      item.addEventListener("click", () => toggle(theme.id));
      list.appendChild(item);
    });
    const evidence = $("evidence");
    evidence.replaceChildren();
    for (const t of unit.themes) {
      const words = unit.evidence[t.id] || [];
      evidence.appendChild(el("div", "evidence", "模型：" + t.name + " " + t.score.toFixed(2) +
        (t.id === unit.primary ? "（主主题）" : "") + (words.length ? " 依据：" + words.join("、") : "")));
    }
    if (!unit.themes.length) evidence.appendChild(el("div", "evidence", "模型：无主题"));
  }

  function remember(kind, unit) {
    const sel = selectionOf(unit);
    state.history.push({ kind: kind, unitId: unit.id, labels: sel.labels.slice(), primary: sel.primary });
  }

  function toggle(themeId) {
    const unit = current();
    if (!unit) return;
    remember("edit", unit);
    const sel = selectionOf(unit);
    if (sel.labels.includes(themeId)) {
      sel.labels = sel.labels.filter((t) => t !== themeId);
      if (sel.primary === themeId) sel.primary = sel.labels.length ? sel.labels[0] : null;
    } else {
      sel.labels = sel.labels.concat([themeId]);
      if (!sel.primary) sel.primary = themeId;
    }
    render();
  }

  function setPrimary(themeId) {
    const unit = current();
    if (!unit) return;
    remember("edit", unit);
    const sel = selectionOf(unit);
    if (!sel.labels.includes(themeId)) sel.labels = sel.labels.concat([themeId]);
    sel.primary = themeId;
    render();
  }

  function goTo(unitId) {
    const i = state.units.findIndex((u) => u.id === unitId);
    if (i >= 0) state.index = i;
  }

  function undo() {
    const last = state.history.pop();
    if (!last) { setStatus("没有可撤销的操作。", false); return; }
    goTo(last.unitId);
    state.selection.set(last.unitId, { labels: last.labels, primary: last.primary });
    if (last.kind === "confirm") {
      setStatus("已回到上一段。修改后按 Enter 重新确认（保存为新版本）。", false);
    } else {
      setStatus("已撤销。", false);
    }
    render();
  }

  async function move(step) {
    if (step > 0 && state.index >= state.units.length - 1) await fetchMore();
    state.index = Math.max(0, Math.min(state.units.length - (state.units.length ? 1 : 0), state.index + step));
    if (step > 0 && state.index === state.units.length - 1 && state.confirmed.has(current().id)) {
      state.index = state.units.length; // past the end: the queue is done
    }
    render();
  }

  async function confirm() {
    const unit = current();
    if (!unit || state.busy) return;
    const sel = selectionOf(unit);
    const body = { unit_id: unit.id, labels: sel.labels, primary: sel.labels.length ? sel.primary : null,
                   version: unit.version };
    const reviewer = $("reviewer").value.trim();
    if (reviewer) body.reviewer = reviewer;
    state.busy = true;
    setStatus("保存中…", false);
    try {
      const reply = await getJSON("/v1/corrections", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      if (reply.status === 409) {
        const other = reply.body.current.correction;
        unit.version = reply.body.current.version;
        if (other) state.selection.set(unit.id, { labels: other.labels.slice(), primary: other.primary });
        render();
        setStatus("该段已被" + (other ? other.reviewer : "他人") + "修改（版本 " + unit.version +
          "），已显示其结果；如仍需修改，请调整后再次确认。", true);
        return;
      }
      if (!reply.ok) {
        setStatus("出错：" + (reply.body && reply.body.error ? reply.body.error.message : reply.status), true);
        return;
      }
      const wasReviewed = state.confirmed.has(unit.id) || unit.version > 0;
      unit.version = reply.body.correction.version;
      state.confirmed.set(unit.id, reply.body.correction);
      state.history.push({ kind: "confirm", unitId: unit.id, labels: sel.labels.slice(), primary: sel.primary });
      if (!wasReviewed) state.progress.reviewed += 1;
      setStatus("已确认第 " + (state.index + 1) + " 段。", false);
      await move(1);
    } catch (err) {
      setStatus("请求失败：" + err, true);
    } finally {
      state.busy = false;
    }
  }

  function queueUrl() {
    const params = new URLSearchParams({ limit: String(QUEUE_BATCH) });
    const theme = $("theme-filter").value;
    if (theme) params.set("theme", theme);
    return "/v1/review?" + params.toString();
  }

  async function fetchMore() {
    const reply = await getJSON(queueUrl());
    if (!reply.ok) {
      setStatus("无法读取复核队列：" + (reply.body && reply.body.error ? reply.body.error.message : reply.status), true);
      return false;
    }
    const known = new Set(state.units.map((u) => u.id));
    for (const u of reply.body.units) if (!known.has(u.id)) state.units.push(u);
    state.progress = reply.body.progress;
    return true;
  }

  async function reload() {
    state.units = [];
    state.index = 0;
    state.history = [];
    if (await fetchMore()) {
      setStatus(state.units.length ? "" : "队列中没有待复核的段落。", false);
    }
    render();
  }

  async function start() {
    if ($("review").dataset.hasStore !== "yes") {
      setStatus("服务未配置复核库：请用 dangjian serve --db 路径 启动。", true);
      return;
    }
    $("reviewer").value = window.localStorage.getItem("dangjian.reviewer") || "";
    $("reviewer").addEventListener("change", () => window.localStorage.setItem("dangjian.reviewer", $("reviewer").value.trim()));
    const reply = await getJSON("/v1/themes");
    if (!reply.ok) { setStatus("无法读取主题列表。", true); return; }
    state.themes = reply.body.themes.map((t) => ({ id: t.id, name: t.name }));
    const filter = $("theme-filter");
    for (const t of state.themes) {
      const option = el("option", null, t.name);
      option.value = t.id;
      filter.appendChild(option);
    }
    filter.addEventListener("change", reload);
    $("prev").addEventListener("click", () => move(-1));
    $("next").addEventListener("click", () => move(1));
    $("confirm").addEventListener("click", confirm);
    $("undo").addEventListener("click", undo);
    document.addEventListener("keydown", onKey);
    await reload();
  }

  function onKey(e) {
    const target = e.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA")) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    // The digit of the key: from the physical key, or from the character
    // (with Shift a US keyboard types !@#$%^&*( instead of 1-9).
    const fromCode = /^(?:Digit|Numpad)([1-9])$/.exec(e.code || "");
    const shifted = SHIFTED_DIGITS.indexOf(e.key);
    const number = fromCode ? Number(fromCode[1]) : (/^[1-9]$/.test(e.key) ? Number(e.key) : (shifted >= 0 ? shifted + 1 : 0));
    if (number) {
      const theme = state.themes[number - 1];
      if (theme) {
        e.preventDefault();
        if (e.shiftKey || shifted >= 0) setPrimary(theme.id); else toggle(theme.id);
      }
      return;
    }
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (key === "Enter") { e.preventDefault(); confirm(); }
    else if (key === "j") { e.preventDefault(); move(1); }
    else if (key === "k") { e.preventDefault(); move(-1); }
    else if (key === "u") { e.preventDefault(); undo(); }
  }

  start();
})();
