// parabola dashboard: fills the server-rendered pages from the JSON API.
// Every user string goes into the page through textContent or attribute setters, never
// innerHTML, so names, tags and config values holding HTML stay text.
"use strict";

const CTX = JSON.parse(document.body.dataset.context || "{}");
const WRITES = document.body.dataset.writes === "on";
const POLL_MS = 2000;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = String(v);
    else if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message;
  box.hidden = false;
  setTimeout(() => { box.hidden = true; }, 6000);
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

async function sendJSON(method, url, data) {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", "X-Parabola-Write": "1" },
    body: data === undefined ? undefined : JSON.stringify(data),
  });
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

const enc = encodeURIComponent;
const runUrl = (r) => `/runs/${enc(r.entity)}/${enc(r.project)}/${enc(r.id)}`;
const runApi = (r) => `/api/runs/${enc(r.entity)}/${enc(r.project)}/${enc(r.id)}`;

function fmt(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(4) : String(+v.toPrecision(6));
  }
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function kvTable(table, obj) {
  table.replaceChildren();
  const keys = Object.keys(obj || {}).sort();
  if (!keys.length) table.append(el("tr", {}, el("td", { class: "muted", text: "(none)" })));
  for (const k of keys) table.append(el("tr", {}, el("td", { text: k }), el("td", { text: fmt(obj[k]) })));
}

function setLive(on) {
  document.getElementById("live").hidden = !on;
}

// Polls while the page is visible; a hidden tab costs nothing. fn returns false to stop,
// "changed" when something new came (the interval drops back to ms), anything else when
// nothing changed (the interval doubles, up to 8 * ms): an idle page costs almost nothing.
function every(ms, fn) {
  let timer = null;
  let stopped = false;
  let wait = ms;
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden) {
      try {
        const answer = await fn();
        if (answer === false) { stopped = true; return; }
        wait = answer === "changed" ? ms : Math.min(wait * 2, 8 * ms);
      } catch (e) { showError(e.message); }
    }
    timer = setTimeout(tick, wait);
  };
  timer = setTimeout(tick, wait);
  return () => { stopped = true; clearTimeout(timer); };
}

const PLOT_CONFIG = { responsive: true, displaylogo: false };

// plotly.js is a deferred script after this one: pages ask for their data first and draw once
// it has run. (Pages without charts do not load it; their promise never settles.)
const plotlyReady = new Promise((resolve, reject) => {
  if (window.Plotly) { resolve(); return; }
  const script = document.getElementById("plotly-js");
  if (!script) return;
  script.addEventListener("load", () => resolve());
  script.addEventListener("error", () => reject(new Error("plotly.js could not be loaded")));
});

// Lets the browser paint and handle input between two heavy steps (a figure, the table).
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

// ---------------------------------------------------------------------------------- charts
// One chart per metric: the server sends min/max-bucketed points; zooming asks for the
// visible step range again, so detail appears as you zoom, and spikes are never averaged away.
const chartOptions = { x: "_step", smoothing: 0, log: false, clip: false };

function smooth(ys, weight) {
  // W&B's default: an exponential moving average, debiased so the start is not pulled to 0.
  if (!weight) return ys;
  const out = [];
  let last = 0;
  let n = 0;
  for (const y of ys) {
    if (y === null) { out.push(null); continue; }
    n += 1;
    last = last * weight + (1 - weight) * y;
    out.push(last / (1 - Math.pow(weight, n)));
  }
  return out;
}

function quantile(sorted, q) {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function xValues(s) {
  if (chartOptions.x === "_timestamp") return s.x.map((t) => (t === null ? null : new Date(t * 1000)));
  return s.x;
}

function layoutFor(title, seriesList) {
  const layout = {
    title: { text: title, font: { size: 13 } },
    margin: { l: 50, r: 10, t: 36, b: 36 },
    height: 300,
    showlegend: seriesList.length > 1,
    legend: { orientation: "h" },
    xaxis: { title: { text: chartOptions.x === "_step" ? "step" : chartOptions.x } },
    yaxis: { type: chartOptions.log ? "log" : "linear" },
    uirevision: title,
  };
  if (chartOptions.clip) {
    const ys = seriesList.flatMap((s) => s.y.filter((v) => v !== null)).sort((a, b) => a - b);
    const lo = quantile(ys, 0.02);
    const hi = quantile(ys, 0.98);
    if (lo !== null && hi > lo) {
      const pad = (hi - lo) * 0.1;
      layout.yaxis.range = chartOptions.log ? [Math.log10(Math.max(lo, 1e-300)), Math.log10(hi + pad)] : [lo - pad, hi + pad];
    }
  }
  return layout;
}

function traceOf(s, name) {
  const trace = { x: xValues(s), y: smooth(s.y, chartOptions.smoothing), type: "scatter", mode: "lines", name };
  if (s.y.length < 2) trace.mode = "markers";
  return trace;
}

class MetricChart {
  constructor(container, runs, key, stream) {
    this.runs = runs; // [{entity, project, id, name}]
    this.key = key;
    this.stream = stream;
    this.range = null; // [min_step, max_step] when zoomed
    this.node = el("div", { class: "chart", "data-key": key });
    container.append(this.node);
    this.series = [];
  }

  url(run) {
    const q = new URLSearchParams({ key: this.key, stream: this.stream, x: chartOptions.x, points: "400" });
    if (this.range) { q.set("min_step", String(Math.floor(this.range[0]))); q.set("max_step", String(Math.ceil(this.range[1]))); }
    return `${runApi(run)}/series?${q}`;
  }

  async load() {
    this.series = await Promise.all(this.runs.map((r) => getJSON(this.url(r))));
    this.draw();
  }

  draw() {
    const traces = this.series.map((s, i) => traceOf(s, this.runs[i].name || this.runs[i].id));
    const first = !this.node.dataset.drawn;
    Plotly.react(this.node, traces, layoutFor(this.key, this.series), PLOT_CONFIG);
    this.node.dataset.drawn = "1";
    this.node.dataset.points = String(this.series.reduce((n, s) => n + s.n_points, 0));
    if (first) this.node.on("plotly_relayout", (ev) => this.onZoom(ev));
  }

  onZoom(ev) {
    if (chartOptions.x !== "_step") return; // re-bucketing works on steps
    if (ev["xaxis.autorange"]) { this.range = null; this.load().catch((e) => showError(e.message)); return; }
    const lo = ev["xaxis.range[0]"];
    const hi = ev["xaxis.range[1]"];
    if (lo === undefined || hi === undefined) return;
    this.range = [lo, hi];
    this.load().catch((e) => showError(e.message));
  }
}

function chartGrid(container, runs, keys, stream) {
  container.replaceChildren();
  if (!keys.length) { container.append(el("p", { class: "muted", text: "No numeric metrics logged." })); return []; }
  return keys.map((k) => new MetricChart(container, runs, k, stream));
}

async function loadAll(charts) {
  for (const c of charts) await c.load(); // one at a time: the first chart shows soonest
}

function bindChartControls(getCharts) {
  const redraw = () => getCharts().forEach((c) => c.draw());
  const x = document.getElementById("x-axis");
  if (!x) return;
  x.addEventListener("change", () => { chartOptions.x = x.value; getCharts().forEach((c) => { c.range = null; }); loadAll(getCharts()).catch((e) => showError(e.message)); });
  const sm = document.getElementById("smoothing");
  sm.addEventListener("input", () => { chartOptions.smoothing = +sm.value; document.getElementById("smoothing-value").textContent = sm.value; redraw(); });
  document.getElementById("log-scale").addEventListener("change", (e) => { chartOptions.log = e.target.checked; redraw(); });
  document.getElementById("clip").addEventListener("change", (e) => { chartOptions.clip = e.target.checked; redraw(); });
}

function addMetricAxes(keys) {
  const x = document.getElementById("x-axis");
  if (!x) return;
  for (const k of keys) if (![...x.options].some((o) => o.value === k)) x.append(el("option", { value: k, text: `metric: ${k}` }));
}

// -------------------------------------------------------------------------------------- home
async function homePage() {
  const [studies, projects] = await Promise.all([getJSON("/api/studies"), getJSON("/api/projects")]);
  const sb = document.querySelector("#studies tbody");
  document.getElementById("no-studies").hidden = studies.length > 0;
  for (const s of studies) {
    const states = Object.entries(s.states).map(([k, v]) => `${k.toLowerCase()} ${v}`).join(", ");
    sb.append(el("tr", {},
      el("td", {}, el("a", { href: `/studies/${s.study_id}`, text: s.study_name })),
      el("td", { text: s.directions.join(", ") }), el("td", { text: s.n_trials }),
      el("td", { text: states }), el("td", { text: s.best ? `${fmt(s.best.value)} (trial ${s.best.number})` : "" }),
      el("td", { text: s.datetime_start || "" })));
  }
  const pb = document.querySelector("#projects tbody");
  document.getElementById("no-projects").hidden = projects.length > 0;
  for (const p of projects) {
    pb.append(el("tr", {},
      el("td", {}, el("a", { href: `/projects/${enc(p.entity)}/${enc(p.project)}`, text: p.project })),
      el("td", { text: p.entity }), el("td", { text: p.n_runs }), el("td", { text: p.last_run_at })));
  }
}

// ----------------------------------------------------------------------------------- project
async function projectPage() {
  const state = { visible: null, sortKey: null, sortDesc: false, selected: new Set(), table: null };
  const orderSel = document.getElementById("order");
  for (const [v, t] of [["-created_at", "newest first"], ["+created_at", "oldest first"], ["+display_name", "name"], ["+state", "state"]]) orderSel.append(el("option", { value: v, text: t }));
  const filtersInput = document.getElementById("filters");
  const groupSel = document.getElementById("group-by");
  const params = () => {
    const q = new URLSearchParams({ project: `${CTX.entity}/${CTX.project}`, order: orderSel.value, limit: "1000" });
    if (filtersInput.value.trim()) q.set("filters", filtersInput.value.trim());
    return q;
  };
  const cell = (r, col) => {
    if (col.startsWith("config.")) return r.config[col.slice(7)];
    if (col.startsWith("summary.")) return r.summary[col.slice(8)];
    if (col === "tags") return r.tags.join(", ");
    return r[col];
  };
  const render = () => {
    const t = state.table;
    const thead = document.querySelector("#runs thead");
    const tbody = document.querySelector("#runs tbody");
    const cols = ["name", "state", "created_at", "group", "job_type", "tags", ...state.visible];
    thead.replaceChildren(el("tr", {}, el("th", { text: "" }), ...cols.map((c) => el("th", {
      text: c + (state.sortKey === c ? (state.sortDesc ? " \u25BC" : " \u25B2") : ""),
      onclick: () => { state.sortDesc = state.sortKey === c ? !state.sortDesc : false; state.sortKey = c; render(); },
    }))));
    let rows = t.runs.slice();
    if (state.sortKey) {
      const k = state.sortKey;
      rows.sort((a, b) => {
        const x = cell(a, k), y = cell(b, k);
        if (x === y) return 0; if (x === null || x === undefined) return 1; if (y === null || y === undefined) return -1;
        return (x < y ? -1 : 1) * (state.sortDesc ? -1 : 1);
      });
    }
    const groupBy = groupSel.value;
    const groups = new Map();
    for (const r of rows) {
      const g = groupBy ? fmt(cell(r, groupBy)) || "(none)" : "";
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(r);
    }
    tbody.replaceChildren();
    for (const [g, members] of groups) {
      if (groupBy) {
        tbody.append(el("tr", { class: "group" }, el("td", {}, el("input", {
          type: "checkbox", title: "select the group",
          onchange: (e) => { for (const r of members) { const id = `${r.entity}/${r.project}/${r.id}`; if (e.target.checked) state.selected.add(id); else state.selected.delete(id); } render(); compare(); },
        })), el("td", { colspan: cols.length, text: `${groupBy} = ${g} (${members.length} runs)` })));
      }
      for (const r of members) {
        const id = `${r.entity}/${r.project}/${r.id}`;
        tbody.append(el("tr", { "data-run": r.id },
          el("td", {}, el("input", { type: "checkbox", checked: state.selected.has(id), onchange: (e) => { if (e.target.checked) state.selected.add(id); else state.selected.delete(id); compare(); } })),
          ...cols.map((c) => c === "name"
            ? el("td", {}, el("a", { href: runUrl(r), text: r.name }))
            : el("td", { class: c === "state" ? `state-${r.state}` : null, text: fmt(cell(r, c)), title: fmt(cell(r, c)) }))));
      }
    }
    document.getElementById("count").textContent = `${t.runs.length} of ${t.total} runs shown`;
  };
  const columnsBox = document.getElementById("columns");
  const load = async () => {
    const t = await getJSON(`/api/runs?${params()}`);
    state.table = t;
    const all = [...t.config_columns.map((c) => `config.${c}`), ...t.summary_columns.map((c) => `summary.${c}`)];
    if (state.visible === null) state.visible = all.slice(0, 12);
    columnsBox.replaceChildren(...all.map((c) => el("label", {}, el("input", {
      type: "checkbox", checked: state.visible.includes(c),
      onchange: (e) => { state.visible = e.target.checked ? [...state.visible, c] : state.visible.filter((x) => x !== c); render(); },
    }), c)));
    const current = groupSel.value;
    groupSel.replaceChildren(el("option", { value: "", text: "(none)" }), el("option", { value: "group", text: "group" }), el("option", { value: "job_type", text: "job_type" }),
      ...t.config_columns.map((c) => el("option", { value: `config.${c}`, text: `config.${c}` })));
    groupSel.value = current;
    document.getElementById("csv").href = `/api/runs.csv?${params()}`;
    const keySel = document.getElementById("compare-key");
    const keys = t.summary_columns.filter((c) => t.runs.some((r) => typeof r.summary[c] === "number"));
    const chosen = keySel.value;
    keySel.replaceChildren(...keys.map((k) => el("option", { value: k, text: k })));
    if (keys.includes(chosen)) keySel.value = chosen;
    render();
  };
  let compareChart = null;
  const compare = async () => {
    const key = document.getElementById("compare-key").value;
    const node = document.getElementById("compare-chart");
    const runs = state.table.runs.filter((r) => state.selected.has(`${r.entity}/${r.project}/${r.id}`));
    if (!key || !runs.length) { node.replaceChildren(el("p", { class: "muted", text: "Select runs (checkboxes) and a metric to overlay them." })); compareChart = null; return; }
    if (document.getElementById("compare-band").checked) {
      const g = await getJSON(`/api/series/group?${new URLSearchParams({ runs: runs.map((r) => `${r.entity}/${r.project}/${r.id}`).join(","), key })}`);
      node.replaceChildren();
      Plotly.react(node, [
        { x: g.x, y: g.max, mode: "lines", line: { width: 0 }, name: "max", showlegend: false },
        { x: g.x, y: g.min, mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: "rgba(53,87,214,0.2)", name: "min/max" },
        { x: g.x, y: g.mean, mode: "lines", name: `mean of ${g.n_runs} runs` },
      ], layoutFor(key, [{ y: g.mean }]), PLOT_CONFIG);
      return;
    }
    node.replaceChildren();
    compareChart = new MetricChart(node, runs.map((r) => ({ entity: r.entity, project: r.project, id: r.id, name: r.name })), key, "default");
    compareChart.node.classList.remove("chart");
    await compareChart.load();
  };
  document.getElementById("apply").addEventListener("click", () => load().catch((e) => showError(e.message)));
  filtersInput.addEventListener("keydown", (e) => { if (e.key === "Enter") load().catch((err) => showError(err.message)); });
  orderSel.addEventListener("change", () => load().catch((e) => showError(e.message)));
  groupSel.addEventListener("change", render);
  document.getElementById("compare-key").addEventListener("change", () => compare().catch((e) => showError(e.message)));
  document.getElementById("compare-band").addEventListener("change", () => compare().catch((e) => showError(e.message)));
  await load();
  await compare();
}

// --------------------------------------------------------------------------------------- run
async function runCharts(run, detail) {
  const who = [{ entity: run.entity, project: run.project, id: run.id, name: detail.name }];
  const charts = chartGrid(document.getElementById("charts"), who, detail.metrics, "default");
  const system = chartGrid(document.getElementById("system-charts"), who, detail.system_metrics, "system");
  addMetricAxes(detail.metrics);
  await loadAll(charts);
  await loadAll(system);
  return [...charts, ...system];
}

function liveCharts(run, charts, state) {
  if (state !== "running") return;
  setLive(true);
  let last = null;
  every(POLL_MS, async () => {
    const p = await getJSON(`${runApi(run)}/poll`);
    if (p.state !== "running") { setLive(false); for (const c of charts) await c.load(); return false; }
    if (p.last_step === last) return true;
    last = p.last_step;
    for (const c of charts) if (!c.range) await c.load();
    return "changed";
  });
}

function renderTags(detail, run) {
  const box = document.getElementById("tags");
  box.replaceChildren(...detail.tags.map((t) => el("span", { class: "tag", text: t })));
  if (!detail.tags.length) box.append(el("span", { class: "muted", text: "(none)" }));
  if (WRITES) {
    const input = el("input", { type: "text", placeholder: "comma-separated tags", value: detail.tags.join(", ") });
    box.append(el("div", {}, input, el("button", { text: "Save tags", onclick: async () => {
      try { const r = await sendJSON("POST", `${runApi(run)}/tags`, { tags: input.value.split(",").map((s) => s.trim()).filter(Boolean) }); detail.tags = r.tags; renderTags(detail, run); } catch (e) { showError(e.message); }
    } })));
  }
}

function renderNotes(detail, run) {
  const box = document.getElementById("notes");
  if (!WRITES) { box.replaceChildren(el("p", { text: detail.notes || "(none)", class: detail.notes ? null : "muted" })); return; }
  const area = el("textarea", {});
  area.value = detail.notes || "";
  box.replaceChildren(area, el("button", { text: "Save notes", onclick: async () => {
    try { await sendJSON("POST", `${runApi(run)}/notes`, { notes: area.value }); } catch (e) { showError(e.message); }
  } }), el("button", { text: "Delete run", onclick: async () => {
    if (!confirm("Delete this run and its history?")) return;
    try { await sendJSON("DELETE", runApi(run)); location.href = `/projects/${enc(run.entity)}/${enc(run.project)}`; } catch (e) { showError(e.message); }
  } }));
}

async function runPage() {
  const run = { entity: CTX.entity, project: CTX.project, id: CTX.run_id };
  const d = await getJSON(runApi(run));
  document.getElementById("run-meta").replaceChildren(
    el("span", { class: `state-${d.state}`, text: d.state }),
    ` · created ${d.created_at}`, d.finished_at ? ` · finished ${d.finished_at}` : "",
    d.group ? ` · group ${d.group}` : "", d.job_type ? ` · job ${d.job_type}` : "", ` · last step ${d.last_step}`);
  if (d.study_id !== null && d.trial_number !== null) {
    const link = document.getElementById("trial-link");
    link.replaceChildren("This run belongs to ", el("a", { href: `/studies/${d.study_id}/trials/${d.trial_number}`, text: `trial ${d.trial_number} of study ${d.study_name}` }));
    link.hidden = false;
  } else if (d.study_id !== null) {
    const link = document.getElementById("trial-link");
    link.replaceChildren("Study: ", el("a", { href: `/studies/${d.study_id}`, text: d.study_name }));
    link.hidden = false;
  }
  kvTable(document.getElementById("config"), d.config);
  // A logged media value's summary is its reference: shown by type and path, drawn below.
  const summary = Object.fromEntries(Object.entries(d.summary).map(([k, v]) => [k, v && typeof v === "object" && typeof v._type === "string" ? cellText(v) : v]));
  kvTable(document.getElementById("summary"), summary);
  renderTags(d, run);
  renderNotes(d, run);
  const files = document.getElementById("files");
  files.replaceChildren(...d.files.map((f) => el("li", {}, el("a", { href: `/files/${enc(run.entity)}/${enc(run.project)}/${enc(run.id)}/${f.name.split("/").map(enc).join("/")}`, text: f.name }), ` (${f.size} bytes)`)));
  if (!d.files.length) files.append(el("li", { class: "muted", text: "(none)" }));
  const arts = document.getElementById("artifacts");
  arts.replaceChildren(...d.artifacts.map((a) => el("li", { text: `${a.name}:${a.version} (${a.type}, ${a.files.length} files)` })));
  if (!d.artifacts.length) arts.append(el("li", { class: "muted", text: "(none)" }));
  renderMedia(run).catch((e) => showError(e.message));
  let charts = [];
  bindChartControls(() => charts);
  charts = await runCharts(run, d);
  liveCharts(run, charts, d.state);
}

// ------------------------------------------------------------------------------------- media
// Logged media come as references (docs/tracking.md); files are fetched from /media (images,
// served inline) and tables from /api/runs/.../table, both only for the run's own files.
const TABLE_ROWS = 100;
const CHART_ROWS = 1000;
const mediaUrl = (run, path) => `/media/${enc(run.entity)}/${enc(run.project)}/${enc(run.id)}/${path.split("/").map(enc).join("/")}`;
const tableUrl = (run, path, rows) => `${runApi(run)}/table?path=${enc(path)}&rows=${rows}`;

// Plotly reads a few HTML tags in its strings (<b>, <a href>); user strings are given to it
// as entities so a caption, class name or title is drawn as the text it is.
function ptext(v) {
  return String(v).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function cellText(v) {
  if (v && typeof v === "object" && typeof v._type === "string") return `[${v._type}${v.path ? ` ${v.path}` : ""}]`;
  return fmt(v);
}

function compareCells(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return cellText(a).localeCompare(cellText(b), undefined, { numeric: true });
}

function sortableTable(columns, rows) {
  let sortCol = null;
  let asc = true;
  const body = el("tbody", {});
  const draw = () => {
    const order = rows.slice();
    if (sortCol !== null) order.sort((a, b) => compareCells(a[sortCol], b[sortCol]) * (asc ? 1 : -1));
    body.replaceChildren(...order.map((r) => el("tr", {}, ...columns.map((_, i) => el("td", { text: cellText(r[i]), title: cellText(r[i]) })))));
  };
  const head = el("tr", {}, ...columns.map((c, i) => el("th", { text: c, title: "sort", onclick: () => {
    asc = sortCol === i ? !asc : true;
    sortCol = i;
    draw();
  } })));
  draw();
  return el("div", { class: "table-wrap" }, el("table", { class: "grid" }, el("thead", {}, head), body));
}

function stepPicker(items, onPick) {
  // A slider over the logged steps (the last one first); nothing for a single step.
  const label = el("span", {});
  const slider = el("input", { type: "range", min: 0, max: items.length - 1, step: 1, value: items.length - 1 });
  const pick = () => {
    const i = Number(slider.value);
    label.textContent = `step ${items[i].step} (${i + 1} of ${items.length})`;
    onPick(items[i]);
  };
  slider.addEventListener("input", pick);
  pick();
  return items.length > 1 ? el("label", { class: "step-picker" }, slider, label) : label;
}

function imageCard(run, key, items) {
  const img = el("img", { alt: key });
  const caption = el("p", { class: "caption muted" });
  const card = el("div", { class: "media-card", "data-key": key }, el("h3", { text: key }));
  card.append(stepPicker(items, (it) => {
    img.src = mediaUrl(run, it.path);
    caption.textContent = it.caption || "";
    card.dataset.step = String(it.step);
  }), img, caption);
  return card;
}

function tablePanel(run, key, items) {
  const box = el("div", {});
  const note = el("p", { class: "muted" });
  const panel = el("div", { class: "media-table", "data-key": key }, el("h3", { text: key }));
  let token = 0;
  panel.append(stepPicker(items, async (it) => {
    const mine = ++token;
    try {
      const t = await getJSON(tableUrl(run, it.path, TABLE_ROWS));
      if (mine !== token) return;  // a later step was picked meanwhile
      box.replaceChildren(sortableTable(t.columns, t.data));
      note.textContent = t.truncated ? `first ${t.data.length} of ${t.nrows} rows` : `${t.nrows} rows`;
      panel.dataset.step = String(it.step);
    } catch (e) { showError(e.message); }
  }), note, box);
  return panel;
}

// Drawn into a node already in the page (Plotly sizes a chart from its place in the layout).
function drawHistogram(node, key, items) {
  const layout = { title: { text: ptext(key) }, height: 320, margin: { l: 50, r: 10, t: 40, b: 40 } };
  if (items.length === 1) {
    const h = items[0];
    const centers = h.values.map((_, i) => (h.bins[i] + h.bins[i + 1]) / 2);
    const widths = h.values.map((_, i) => h.bins[i + 1] - h.bins[i]);
    Plotly.react(node, [{ type: "bar", x: centers, y: h.values, width: widths, name: ptext(key) }],
      { ...layout, xaxis: { title: { text: `step ${h.step}` } } }, PLOT_CONFIG);
    node.dataset.drawn = "1";
    return;
  }
  // Bins differ per step: each step's counts are spread on one shared grid of 64 rows.
  let lo = Infinity, hi = -Infinity;
  for (const h of items) { lo = Math.min(lo, h.bins[0]); hi = Math.max(hi, h.bins[h.bins.length - 1]); }
  const n = 64;
  const width = hi > lo ? (hi - lo) / n : 1;
  const ys = Array.from({ length: n }, (_, i) => lo + (i + 0.5) * width);
  const z = ys.map(() => items.map(() => 0));
  items.forEach((h, col) => {
    h.values.forEach((count, i) => {
      const row = Math.min(n - 1, Math.max(0, Math.floor(((h.bins[i] + h.bins[i + 1]) / 2 - lo) / width)));
      z[row][col] += count;
    });
  });
  Plotly.react(node, [{ type: "heatmap", x: items.map((h) => h.step), y: ys, z, colorscale: "Viridis" }],
    { ...layout, xaxis: { title: { text: "step" } } }, PLOT_CONFIG);
  node.dataset.drawn = "1";
}

function byGroup(keys, xs, ys) {
  const groups = new Map();
  keys.forEach((k, i) => {
    const name = k === null || k === undefined ? "" : String(k);
    if (!groups.has(name)) groups.set(name, { x: [], y: [] });
    groups.get(name).x.push(xs[i]);
    groups.get(name).y.push(ys[i]);
  });
  return [...groups.entries()];
}

// The traces for a wandb.plot spec, or null for a spec drawn as its table.
function chartTraces(spec, f, columns, data) {
  const col = (name) => { const i = columns.indexOf(name); return i < 0 ? null : data.map((r) => r[i]); };
  const lines = (k, x, y, mode) => byGroup(k, x, y).map(([name, g]) => ({ type: "scatter", mode, x: g.x, y: g.y, name: ptext(name) }));
  if (spec === "wandb/line/v0" || spec === "wandb/scatter/v0") {
    const x = col(f.x), y = col(f.y);
    if (!x || !y) return null;
    const mode = spec === "wandb/line/v0" ? "lines" : "markers";
    return f.stroke && col(f.stroke) ? lines(col(f.stroke), x, y, mode) : [{ type: "scatter", mode, x, y, name: ptext(f.y) }];
  }
  if (spec === "wandb/bar/v0") {
    const label = col(f.label), value = col(f.value);
    return label && value ? [{ type: "bar", x: label.map(ptext), y: value }] : null;
  }
  if (spec === "wandb/histogram/v0") {
    const value = col(f.value);
    return value ? [{ type: "histogram", x: value }] : null;
  }
  if (spec === "wandb/lineseries/v0") {
    const k = col(f.lineKey), x = col(f.step), y = col(f.lineVal);
    return k && x && y ? lines(k, x, y, "lines") : null;
  }
  if (spec === "wandb/area-under-curve/v0") {
    const k = col(f.class), x = col(f.x), y = col(f.y);
    return k && x && y ? lines(k, x, y, "lines") : null;
  }
  if (spec === "wandb/confusion_matrix/v1") {
    const actual = col(f.Actual), pred = col(f.Predicted), count = col(f.nPredictions);
    if (!actual || !pred || !count) return null;
    const classes = [...new Set([...actual, ...pred].map(String))];
    const z = classes.map(() => classes.map(() => 0));
    actual.forEach((a, i) => { z[classes.indexOf(String(a))][classes.indexOf(String(pred[i]))] += Number(count[i]) || 0; });
    const names = classes.map(ptext);
    return [{ type: "heatmap", x: names, y: names, z, colorscale: "Blues", hovertemplate: "actual %{y}<br>predicted %{x}<br>%{z}<extra></extra>" }];
  }
  return null;
}

function chartPanel(run, key, items) {
  const it = items[items.length - 1];  // a chart's latest version, as W&B shows it
  const node = el("div", { class: "chart", "data-key": key, "data-spec": it.spec });
  const panel = el("div", {}, node);
  getJSON(tableUrl(run, it.table.path, CHART_ROWS)).then((t) => {
    const traces = chartTraces(it.spec, it.fields, t.columns, t.data);
    if (!traces) {
      node.replaceWith(el("div", { class: "media-table", "data-key": key }, el("h3", { text: `${key} (${it.spec}, shown as its table)` }), sortableTable(t.columns, t.data)));
      return;
    }
    const sf = it.string_fields;
    const title = sf.title || key;
    const confusion = it.spec === "wandb/confusion_matrix/v1";
    const xTitle = confusion ? "Predicted" : sf["x-axis-title"] || sf.xname || it.fields.x || it.fields.label || it.fields.value || "";
    const yTitle = confusion ? "Actual" : sf["y-axis-title"] || it.fields.y || "";
    Plotly.react(node, traces, {
      title: { text: ptext(title) }, height: 320, margin: { l: 60, r: 10, t: 40, b: 44 },
      xaxis: { title: { text: ptext(xTitle) } }, yaxis: { title: { text: ptext(yTitle) }, autorange: confusion ? "reversed" : true },
    }, PLOT_CONFIG);
    node.dataset.drawn = "1";
    if (t.truncated) panel.append(el("p", { class: "muted", text: `first ${t.data.length} of ${t.nrows} rows drawn` }));
  }).catch((e) => showError(e.message));
  return panel;
}

function renderAlerts(alerts) {
  if (!alerts.length) return;
  document.getElementById("alerts").replaceChildren(...alerts.map((a) => el("li", { class: `alert-${a.level}` },
    el("strong", { text: `${a.level || "INFO"}: ${a.title || ""}` }), ` ${a.text || ""}`,
    typeof a.at === "number" ? el("span", { class: "muted", text: ` (${new Date(a.at * 1000).toISOString()})` }) : null)));
  document.getElementById("alerts-section").hidden = false;
}

async function renderMedia(run) {
  const m = await getJSON(`${runApi(run)}/media`);
  renderAlerts(m.alerts);
  const sorted = (obj) => Object.keys(obj).sort().map((k) => [k, obj[k]]);
  document.getElementById("media-images").replaceChildren(...sorted(m.images).map(([k, v]) => imageCard(run, k, v)));
  document.getElementById("media-tables").replaceChildren(...sorted(m.tables).map(([k, v]) => tablePanel(run, k, v)));
  const hists = sorted(m.histograms).map(([k, v]) => [el("div", { class: "chart", "data-key": k }), k, v]);
  document.getElementById("media-histograms").replaceChildren(...hists.map((h) => h[0]));
  document.getElementById("media-charts").replaceChildren(...sorted(m.charts).map(([k, v]) => chartPanel(run, k, v)));
  const any = [m.images, m.tables, m.histograms, m.charts].some((o) => Object.keys(o).length);
  document.getElementById("media").hidden = !any;
  for (const [node, k, v] of hists) drawHistogram(node, k, v);
}

// ------------------------------------------------------------------------------------- study
async function studyPage() {
  const id = CTX.study_id;
  // Everything the first view needs is asked for at once, before plotly.js has even run: the
  // panel list, the history figure (the first panel; the server builds it in the background
  // as soon as the page is asked for) and the trials.
  const panelsPromise = getJSON(`/api/studies/${id}/figures`);
  const prefetched = new Map([["history", getJSON(`/api/studies/${id}/figures/history`)]]);
  for (const p of prefetched.values()) p.catch(() => {});
  const dataPromise = getJSON(`/api/studies/${id}`);
  dataPromise.catch(() => {});
  // Figures: each panel is a parabola.visualization function's figure, drawn by Plotly.react.
  const panels = await panelsPromise;
  const box = document.getElementById("figures");
  const shown = panels.filter((p) => p.applies);
  const nodes = new Map();
  const notes = new Map();
  // Panels whose figure is drawn with every point (the "show all points" control); the others
  // get the server's point budget (the answer's "points" says how many of how many).
  const full = new Set();
  for (const p of shown) {
    const body = el("div", { class: "figure" });
    const note = el("div", { class: "points muted", hidden: true });
    box.append(el("div", { class: "panel", "data-panel": p.name }, el("h3", { text: p.title }), note, body));
    nodes.set(p.name, body);
    notes.set(p.name, note);
  }
  // What a first view draws otherwise than the full figure, and the control that draws it all.
  const showPoints = (p, answer) => {
    const note = notes.get(p.name);
    const parts = [...(answer.notes || [])];
    const pts = answer.points;
    if (pts) parts.unshift(`${pts.shown.toLocaleString("en")} of ${pts.total.toLocaleString("en")} points drawn (evenly spaced, with the extremes)`);
    if (!parts.length) { note.replaceChildren(); note.hidden = true; return; }
    note.replaceChildren(`${parts.join("; ")} `,
      el("button", { text: "show the full figure", onclick: () => { full.add(p.name); stale.add(p.name); drawOne(p); } }));
    note.hidden = false;
  };
  const markersOnly = (t) => (t.type || "scatter").startsWith("scatter") && /markers/.test(t.mode || "") && !/lines/.test(t.mode || "");
  const drawPanel = async (p) => {
    const body = nodes.get(p.name);
    if (!p.available) { body.replaceChildren(el("p", { class: "na", text: p.reason })); return; }
    const early = full.has(p.name) ? null : prefetched.get(p.name);
    prefetched.delete(p.name);  // a redraw after a change asks again
    const answer = await (early || getJSON(`/api/studies/${id}/figures/${p.name}${full.has(p.name) ? "?points=all" : ""}`));
    await plotlyReady;
    // A task of its own: not the one that evaluated plotly.js (its load event), nor another
    // figure's; the browser paints and takes input in between.
    await nextFrame();
    if (!answer.available) { body.replaceChildren(el("p", { class: "na", text: answer.reason })); body.dataset.drawn = "na"; return; }
    const fig = answer.figure;
    fig.layout = Object.assign(fig.layout || {}, { height: 360, margin: { l: 50, r: 20, t: 40, b: 40 } });
    if (!body.dataset.drawn && fig.data.some(markersOnly)) {
      // The frame (axes, lines, the first draw's one-off costs) in one task, the markers in
      // the next: each well under what one task of both takes.
      const frame = fig.data.map((t) => (markersOnly(t) ? { ...t, x: [], y: [] } : t));
      await Plotly.react(body, frame, fig.layout, PLOT_CONFIG);
      await nextFrame();
    }
    await Plotly.react(body, fig.data, fig.layout, PLOT_CONFIG);
    showPoints(p, answer);
    body.dataset.drawn = "1";
    body.dataset.points = answer.points ? String(answer.points.shown) : "all";
  };
  // A panel is drawn when it scrolls into view, one at a time: the first chart does not wait
  // for the others (or for the trials table), and heavy figures of a big study (a WebGL
  // parallel coordinate of thousands of lines) cost nothing until someone looks at them.
  const visible = new Set();
  const stale = new Set(shown.map((p) => p.name));
  let queue = Promise.resolve();
  const drawOne = (p) => {
    queue = queue.then(async () => {
      if (!stale.has(p.name) || !visible.has(p.name)) return;
      stale.delete(p.name);
      try { await drawPanel(p); } catch (e) { nodes.get(p.name).replaceChildren(el("p", { class: "na", text: e.message })); }
      firstDrawn();
      await nextFrame();  // one figure per task: the page stays responsive between them
    });
    return queue;
  };
  // The trials table waits for the first figure (drawn or failed; at most 15 s): it is below
  // the figures, and the first chart is what the page is for.
  let firstDrawn = () => {};
  const firstFigure = shown.length ? new Promise((resolve) => { firstDrawn = resolve; setTimeout(resolve, 15000); }) : Promise.resolve();
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const name = entry.target.dataset.panel;
      if (entry.isIntersecting) { visible.add(name); drawOne(shown.find((p) => p.name === name)); } else visible.delete(name);
    }
  }, { rootMargin: "0px" });  // not ahead of the scroll: a panel below costs nothing until seen
  for (const node of box.children) observer.observe(node);
  const drawFigures = async () => { for (const p of shown) { stale.add(p.name); drawOne(p); } await queue; };
  const figuresDrawn = Promise.resolve();

  let data = await dataPromise;
  await firstFigure;
  await nextFrame();
  const t = { cols: data.trials, page: 0, sortKey: "number", sortDesc: false };
  const meta = () => {
    document.getElementById("study-meta").textContent =
      `${data.directions.join(", ")} · ${data.n_trials} trials` + (data.best_trials.length ? ` · best: trial ${data.best_trials.slice(0, 5).join(", ")}` : "");
  };
  meta();
  const PAGE = 100;
  const value = (i, k) => {
    if (k === "number") return t.cols.number[i];
    if (k === "state") return t.cols.state[i];
    if (k.startsWith("value")) return t.cols.values[i][+k.slice(5)];
    if (k.startsWith("params.")) return t.cols.params[k.slice(7)][i];
    if (k.startsWith("user_attrs.")) return t.cols.user_attrs[k.slice(11)][i];
    return t.cols[k][i];
  };
  const renderTrials = () => {
    const cols = ["number", "state", ...data.directions.map((_, j) => `value${j}`), "datetime_start",
      ...data.params.map((p) => `params.${p}`), ...data.user_attrs.map((u) => `user_attrs.${u}`)];
    const thead = document.querySelector("#trials thead");
    thead.replaceChildren(el("tr", {}, ...cols.map((c) => el("th", {
      text: c + (t.sortKey === c ? (t.sortDesc ? " \u25BC" : " \u25B2") : ""),
      onclick: () => { t.sortDesc = t.sortKey === c ? !t.sortDesc : false; t.sortKey = c; t.page = 0; renderTrials(); },
    }))));
    const st = document.getElementById("state-filter").value;
    const lo = document.getElementById("value-min").value;
    const hi = document.getElementById("value-max").value;
    let idx = [...t.cols.number.keys()];
    if (st) idx = idx.filter((i) => t.cols.state[i] === st);
    if (lo !== "") idx = idx.filter((i) => t.cols.values[i][0] !== null && t.cols.values[i][0] >= +lo);
    if (hi !== "") idx = idx.filter((i) => t.cols.values[i][0] !== null && t.cols.values[i][0] <= +hi);
    const k = t.sortKey;
    idx.sort((a, b) => {
      const x = value(a, k), y = value(b, k);
      if (x === y) return 0; if (x === null || x === undefined) return 1; if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * (t.sortDesc ? -1 : 1);
    });
    const pages = Math.max(1, Math.ceil(idx.length / PAGE));
    t.page = Math.min(t.page, pages - 1);
    const tbody = document.querySelector("#trials tbody");
    tbody.replaceChildren(...idx.slice(t.page * PAGE, (t.page + 1) * PAGE).map((i) => el("tr", {}, ...cols.map((c) => c === "number"
      ? el("td", {}, el("a", { href: `/studies/${id}/trials/${t.cols.number[i]}`, text: t.cols.number[i] }))
      : el("td", { class: c === "state" ? `state-${t.cols.state[i]}` : null, text: fmt(value(i, c)) })))));
    document.getElementById("page").textContent = `page ${t.page + 1} of ${pages}`;
    document.getElementById("trial-count").textContent = `${idx.length} of ${t.cols.number.length} trials`;
  };
  document.getElementById("prev").addEventListener("click", () => { t.page = Math.max(0, t.page - 1); renderTrials(); });
  document.getElementById("next").addEventListener("click", () => { t.page += 1; renderTrials(); });
  for (const f of ["state-filter", "value-min", "value-max"]) for (const ev of ["input", "change"]) document.getElementById(f).addEventListener(ev, () => { t.page = 0; renderTrials(); });
  renderTrials();

  // Per-trial curves of a logged metric (runs linked to the study's trials).
  const curveSel = document.getElementById("curve-key");
  const curves = async () => {
    const key = curveSel.value;
    const q = new URLSearchParams({ points: "200" });
    if (key) q.set("key", key);
    const c = await getJSON(`/api/studies/${id}/curves?${q}`);
    const have = new Set([...curveSel.options].map((o) => o.value));
    for (const k of c.keys) if (!have.has(k)) curveSel.append(el("option", { value: k, text: k }));
    document.getElementById("curve-note").textContent = c.n_runs ? `${c.n_runs} linked runs` : "no tracking run is linked to this study's trials";
    if (!key) return;
    await plotlyReady;
    const node = document.getElementById("curves-chart");
    Plotly.react(node, c.curves.map((s) => ({ x: s.x, y: s.y, type: "scatter", mode: "lines", name: `trial ${s.trial}` })), layoutFor(key, c.curves), PLOT_CONFIG);
  };
  curveSel.addEventListener("change", () => curves().catch((e) => showError(e.message)));
  await figuresDrawn;
  await curves();

  // Live: a poll asks only whether anything changed; then only trials from the first
  // unfinished one on are fetched and merged.
  let token = data.token;
  const running = () => data.first_unfinished < data.n_trials;
  setLive(running());
  every(POLL_MS, async () => {
    const p = await getJSON(`/api/studies/${id}/poll?token=${enc(token)}`);
    if (!p.changed) return true;
    const since = Math.min(data.first_unfinished, t.cols.number.length);
    const part = await getJSON(`/api/studies/${id}?since=${since}`);
    const merged = {};
    for (const k of ["number", "state", "values", "datetime_start", "datetime_complete", "n_intermediate"]) merged[k] = t.cols[k].slice(0, since).concat(part.trials[k]);
    merged.params = {};
    for (const name of part.params) merged.params[name] = (t.cols.params[name] || new Array(since).fill(null)).slice(0, since).concat(part.trials.params[name]);
    merged.user_attrs = {};
    for (const name of part.user_attrs) merged.user_attrs[name] = (t.cols.user_attrs[name] || new Array(since).fill(null)).slice(0, since).concat(part.trials.user_attrs[name]);
    t.cols = merged;
    data = Object.assign(part, { trials: merged });
    token = part.token;
    meta();
    renderTrials();
    setLive(running());
    await drawFigures();
    return "changed";
  });
}

// ------------------------------------------------------------------------------------- trial
async function trialPage() {
  const d = await getJSON(`/api/studies/${CTX.study_id}/trials/${CTX.number}`);
  document.getElementById("trial-meta").replaceChildren(el("span", { class: `state-${d.state}`, text: d.state }),
    ` · values ${fmt(d.values)}`, d.duration_s !== null ? ` · ${fmt(d.duration_s)} s` : "", ` · study ${d.study_name}`);
  kvTable(document.getElementById("params"), d.params);
  const attrs = { values: d.values, datetime_start: d.datetime_start, datetime_complete: d.datetime_complete };
  for (const [k, v] of Object.entries(d.user_attrs)) attrs[`user_attrs.${k}`] = v;
  for (const [k, v] of Object.entries(d.distributions)) attrs[`distribution.${k}`] = v;
  kvTable(document.getElementById("attrs"), attrs);
  const iv = document.getElementById("intermediate");
  if (d.intermediate_values.length) {
    Plotly.react(iv, [{ x: d.intermediate_values.map((p) => p[0]), y: d.intermediate_values.map((p) => p[1]), mode: "lines+markers", name: "intermediate" }],
      { height: 300, margin: { l: 50, r: 10, t: 20, b: 36 }, xaxis: { title: { text: "step" } } }, PLOT_CONFIG);
  } else iv.replaceChildren(el("p", { class: "muted", text: "No intermediate values reported." }));
  if (!d.run) {
    document.getElementById("charts").replaceChildren(el("p", { class: "muted", text: "No tracking run is linked to this trial." }));
    return;
  }
  const link = document.getElementById("run-link");
  link.replaceChildren("Tracking run: ", el("a", { href: runUrl(d.run), text: d.run.name }));
  link.hidden = false;
  const detail = await getJSON(runApi(d.run));
  const charts = await runCharts(d.run, detail);
  liveCharts(d.run, charts, detail.state);
}

// The study page waits for plotly.js itself (it fetches first); the others start once it ran.
const afterPlotly = (page) => async () => { await plotlyReady; await page(); };
const PAGES = { home: homePage, project: afterPlotly(projectPage), run: afterPlotly(runPage), study: studyPage, trial: afterPlotly(trialPage) };
(PAGES[CTX.kind] || (async () => {}))().catch((e) => showError(e.message));
