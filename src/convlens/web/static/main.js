// convlens design page: rows and YAML kept in sync through the JSON API (/api/summary), which
// evaluates the spec with the same code as `convlens summary` and spells every cell; the diagram
// follows from /api/diagram once the table is drawn. Plain ES modules, no dependencies.
import { latest } from "./api.js";
import { loadLanguage, tr, withLang } from "./i18n.js";
import { clearDiagram, downloadDiagram, drawDiagram } from "./diagram.js";
import { markRows, renderMeta, renderRows, addRow, edited } from "./rows.js";
import { renderResult, showStatus } from "./result.js";
import { decodeUrl, download, encodeUrl, share } from "./share.js";
import { $, el, hooks, state } from "./state.js";

// Send the spec (as YAML text or as the document) and show the answer.
const send = latest("/api/summary", apply, (e) => showStatus(tr("the server cannot be reached: {error}", { error: e }), true));
function update(body, source, t0 = performance.now()) { return send({ body, source, t0 }); }
hooks.edited = (t0) => update({ spec: state.doc }, "rows", t0);

function apply({ body, source, t0, answered }, res) {
  if (res.status !== 200) {
    const msg = res.data.error ? res.data.error.message : `HTTP ${res.status}`;
    $("#yaml-error").textContent = msg;
    showStatus(msg, true);
    if (source !== "yaml" && body.spec) state.doc = body.spec;
    markRows((res.data.error || {}).path, msg);
    recordLatency(t0, answered);
    return;
  }
  $("#yaml-error").textContent = "";
  state.last = res.data;
  if (source !== "rows") state.doc = res.data.spec;  // rows: the page's own document stays the truth (edits may be in flight)
  if (source !== "yaml") $("#yaml").value = res.data.yaml;
  if (source !== "rows") renderRows();
  renderMeta();
  renderResult(res.data);
  recordLatency(t0, answered);
  encodeUrl($("#yaml").value);
  drawDiagram({ yaml: res.data.yaml }, t0);  // after the table: a second request, never blocking it
}

function recordLatency(t0, answered) {
  const now = performance.now();
  const ms = now - t0;
  state.latencies.push(ms);
  state.timings.push({ total: ms, request: answered - t0, render: now - answered });  // request: to the answer's arrival
  document.body.dataset.latency = ms.toFixed(1);
}

async function loadExample(name) {
  if (!name) return;
  if (name === "new") {
    state.doc = { name: "my-network", framework: "pytorch", input: [1, 1, 28, 28], layers: [] };
    $("#yaml").value = "";
    renderRows(); renderMeta();
    $("#table tbody").replaceChildren(); $("#totals").replaceChildren(); clearDiagram();
    showStatus(tr("An empty network: add a layer."), false);
    return;
  }
  const r = await fetch(withLang(`/api/examples/${encodeURIComponent(name)}`));
  const data = await r.json();
  if (r.status !== 200) { showStatus(data.error.message, true); return; }
  $("#yaml").value = data.yaml;
  state.selected = null;
  await update({ yaml: data.yaml }, "example");
}

async function init() {
  const problem = await loadLanguage();
  const [pt, ks, ex] = await Promise.all(["pytorch", "keras"].map((f) => fetch(withLang(`/api/layers?framework=${f}`)).then((r) => r.json())).concat([fetch(withLang("/api/examples")).then((r) => r.json())]));
  state.catalogue = { pytorch: pt.layers, keras: ks.layers };
  const start = $("#start");
  start.append(el("option", { value: "new" }, tr("new (empty)")));
  const tut = el("optgroup", { label: tr("Tutorials and examples") }), zoo = el("optgroup", { label: tr("Zoo") });
  for (const e of ex.examples) (e.kind === "zoo" ? zoo : tut).append(el("option", { value: e.name, title: e.description }, e.name));
  start.append(tut, zoo);
  start.addEventListener("change", () => loadExample(start.value));
  $("#yaml").addEventListener("input", (e) => { const t0 = performance.now(); update({ yaml: e.target.value }, "yaml", t0); });
  $("#input-shape").addEventListener("input", (e) => {
    const parts = e.target.value.split(/[\s,x×]+/).filter(Boolean).map((p) => (/^(null|none|\?)$/i.test(p) ? null : Number(p)));
    if (!state.doc || parts.some((p) => p !== null && !Number.isInteger(p))) { showStatus(tr("the input shape is sizes separated by commas, e.g. 1, 3, 224, 224"), true); return; }
    state.doc.input = parts; edited(false);
  });
  $("#spec-name").addEventListener("input", (e) => { if (state.doc) { state.doc.name = e.target.value; edited(false); } });
  $("#framework").addEventListener("change", (e) => { if (state.doc) { state.doc.framework = e.target.value; edited(true); } });
  $("#add-row").addEventListener("click", addRow);
  $("#share").addEventListener("click", share);
  for (const to of ["yaml", "pytorch", "keras"]) $(`#download-${to}`).addEventListener("click", () => download(to));
  for (const fmt of ["svg", "png"]) $(`#download-diagram-${fmt}`).addEventListener("click", () => downloadDiagram(fmt));
  const shared = await decodeUrl().catch(() => null);
  if (shared !== null) { $("#yaml").value = shared; await update({ yaml: shared }, "example"); }
  else await loadExample("residual-cnn");
  if (problem) showStatus(problem, true);  // ?lang= named a language convlens lacks: the page is in English, and says why
  document.body.dataset.ready = "1";
}

init();
