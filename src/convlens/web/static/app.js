// convlens design page: rows and YAML kept in sync through the JSON API (/api/summary), which
// evaluates the spec with the same code as `convlens summary`. Plain JS, no dependencies.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = {
  doc: null,            // the spec document as the server last read it
  catalogue: {},        // framework -> {type: [{name, default}]}
  seq: 0,               // last request sent
  shown: 0,             // last response applied
  last: null,           // last successful response
  selected: null,       // index of the row whose calculation is shown
  latencies: [],        // ms from an edit to the updated table, newest last
  timings: [],          // the same, split: {total, request (answer received), render}
};
window.convlens = state;

const fmt = (n) => (n === null || n === undefined ? "--" : Number(n).toLocaleString("en-US"));
const shape = (s) => (s ? "[" + s.map((d) => (d === null ? "None" : d)).join(", ") + "]" : "--");

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c.nodeType ? c : String(c));
  return e;
}

// ---- values typed in a row <-> spec values ---------------------------------------------------
function parseValue(text) {
  const t = text.trim();
  if (t === "") return undefined;
  if (/^(true|false|null)$/i.test(t)) return JSON.parse(t.toLowerCase());
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(t)) return Number(t);
  const inner = t.replace(/^[\[(]|[\])]$/g, "");
  if (inner.includes(",")) {
    const parts = inner.split(",").map((p) => p.trim()).filter((p) => p !== "");
    return parts.map((p) => { const v = parseValue(p); return v === undefined ? p : v; });
  }
  return t.replace(/^['"]|['"]$/g, "");
}
function showValue(v) {
  if (v === undefined) return "";
  if (Array.isArray(v)) return v.map(showValue).join(", ");
  if (v === null) return "null";
  return String(v);
}

// ---- API ------------------------------------------------------------------------------------
async function post(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, data: await r.json() };
}

// Send the spec (as YAML text or as the document) and show the answer. One request at a time: edits
// made while it runs wait as one pending request (the newest), so fast typing never queues stale work.
let pending = null, running = null;
function update(body, source, t0 = performance.now()) {
  pending = { body, source, t0 };
  if (!running) running = pump().finally(() => { running = null; });
  return running;
}

async function pump() {
  while (pending) {
    const job = pending;
    pending = null;
    state.seq++;
    let res;
    try { res = await post("/api/summary", job.body); } catch (e) { showStatus(`the server cannot be reached: ${e}`, true); continue; }
    if (pending && pending.source === job.source) continue;  // a newer edit of the same kind supersedes this answer
    job.answered = performance.now();
    apply(job, res);
  }
}

function apply({ body, source, t0, answered }, res) {
  state.shown = state.seq;
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
}

function recordLatency(t0, answered) {
  const now = performance.now();
  const ms = now - t0;
  state.latencies.push(ms);
  state.timings.push({ total: ms, request: answered - t0, render: now - answered });  // request: to the answer's arrival
  document.body.dataset.latency = ms.toFixed(1);
}

// ---- the rows (left) ------------------------------------------------------------------------
function framework() { return (state.doc && state.doc.framework) || "pytorch"; }
function types() { return state.catalogue[framework()] || {}; }

function renderMeta() {
  const d = state.doc || {};
  if (document.activeElement !== $("#input-shape")) $("#input-shape").value = (d.input || []).map((v) => (v === null ? "null" : v)).join(", ");
  if (document.activeElement !== $("#spec-name")) $("#spec-name").value = d.name || "";
  $("#framework").value = framework();
}

function renderRows() {
  const list = $("#rows");
  const focus = document.activeElement && document.activeElement.dataset.key;
  list.replaceChildren();
  const items = (state.doc && state.doc.layers) || [];
  items.forEach((item, i) => list.append(rowElement(item, i, items.length)));
  if (focus) { const again = list.querySelector(`[data-key="${focus}"]`); if (again) again.focus(); }
}

function rowElement(item, i, n) {
  const li = el("li", { class: "row", "data-index": i });
  li.append(el("span", { class: "idx" }, i));
  if (typeof item === "object" && item !== null && "type" in item) {
    const select = el("select", { "aria-label": `layer ${i} type`, "data-key": `${i}:type`, onchange: (e) => setType(i, e.target.value) });
    const known = Object.keys(types());
    if (!known.includes(item.type)) known.unshift(item.type);
    for (const t of known) select.append(el("option", { value: t, selected: t === item.type }, t));
    li.append(el("label", {}, "type", select));
    li.append(field(i, "name", item.name, "name"));
    li.append(field(i, "inputs", item.inputs, "inputs", "previous"));
    for (const arg of types()[item.type] || []) li.append(field(i, arg.name, item[arg.name], "", showValue(arg.default === null ? undefined : arg.default)));
    for (const k of Object.keys(item)) {  // arguments the catalogue does not list (a typo shows up as the server's error)
      if (!["type", "name", "inputs", "repeat"].includes(k) && !(types()[item.type] || []).some((a) => a.name === k)) li.append(field(i, k, item[k]));
    }
  } else if (typeof item === "object" && item !== null && "block" in item) {
    const blocks = (state.doc && state.doc.blocks) || {};
    const select = el("select", { "aria-label": `layer ${i} block`, "data-key": `${i}:block`, onchange: (e) => { item.block = e.target.value; edited(true); } });
    const names = Object.keys(blocks);
    if (!names.includes(item.block)) names.unshift(item.block);
    for (const b of names) select.append(el("option", { value: b, selected: b === item.block }, b));
    li.append(el("label", {}, "block", select));
    li.append(field(i, "name", item.name, "name"));
    li.append(field(i, "repeat", item.repeat, "", "1"));
    const params = (blocks[item.block] || {}).params || {};
    for (const [p, dflt] of Object.entries(params)) li.append(withField(i, p, (item.with || {})[p], dflt));
  } else {
    const text = typeof item === "string" ? item : `branches (${(item.branches || []).length}) merged by ${item.merge}`;
    li.append(el("span", { class: "struct", title: "edit this item in the YAML" }, text, el("span", { class: "hint" }, " — edit in the YAML")));
  }
  li.append(el("span", { class: "moves" },
    el("button", { type: "button", "aria-label": `move layer ${i} up`, disabled: i === 0, onclick: () => move(i, -1) }, "↑"),
    el("button", { type: "button", "aria-label": `move layer ${i} down`, disabled: i === n - 1, onclick: () => move(i, 1) }, "↓"),
    el("button", { type: "button", "aria-label": `remove layer ${i}`, onclick: () => remove(i) }, "✕")));
  return li;
}

function field(i, key, value, cls = "", placeholder = "") {
  const input = el("input", { class: cls, value: showValue(value), placeholder, "aria-label": `layer ${i} ${key}`, "data-key": `${i}:${key}`, spellcheck: "false",
    oninput: (e) => setArg(i, key, e.target.value) });
  return el("label", {}, key, input);
}

// a block's parameter, given where the block is used (item.with)
function withField(i, key, value, dflt) {
  const input = el("input", { value: showValue(value), placeholder: dflt === null ? "required" : showValue(dflt), "aria-label": `layer ${i} ${key}`,
    "data-key": `${i}:with:${key}`, spellcheck: "false", oninput: (e) => {
      const item = state.doc.layers[i];
      const v = parseValue(e.target.value);
      item.with = item.with || {};
      if (v === undefined) delete item.with[key]; else item.with[key] = v;
      if (!Object.keys(item.with).length) delete item.with;
      edited(false);
    } });
  return el("label", {}, key, input);
}

function edited(structural) {
  const t0 = performance.now();
  if (structural) renderRows();
  update({ spec: state.doc }, "rows", t0);
}

function setArg(i, key, text) {
  const item = state.doc.layers[i];
  let v = parseValue(text);
  if (key === "inputs" && v !== undefined && !Array.isArray(v)) v = [v];
  if (key === "name" && v !== undefined) v = String(v);
  if (v === undefined) delete item[key]; else item[key] = v;
  edited(false);
}

function setType(i, type) {
  const old = state.doc.layers[i];
  const keep = ["name", "inputs", "repeat"];
  const allowed = (types()[type] || []).map((a) => a.name);
  const item = { type };
  for (const [k, v] of Object.entries(old)) if (keep.includes(k) || allowed.includes(k)) item[k] = v;
  state.doc.layers[i] = item;
  edited(true);
}

function move(i, step) {
  const items = state.doc.layers;
  [items[i], items[i + step]] = [items[i + step], items[i]];
  edited(true);
  const again = document.querySelector(`[aria-label="move layer ${i + step} ${step < 0 ? "up" : "down"}"]`);
  if (again && !again.disabled) again.focus();
}

function remove(i) {
  state.doc.layers.splice(i, 1);
  edited(true);
}

function addRow() {
  if (!state.doc) state.doc = { input: [1, 3, 32, 32], layers: [] };
  state.doc.layers = state.doc.layers || [];
  state.doc.layers.push({ type: framework() === "keras" ? "Conv2D" : "Conv2d" });
  edited(true);
  const sel = document.querySelector(`[data-key="${state.doc.layers.length - 1}:type"]`);
  if (sel) sel.focus();
}

// Mark the editor row the failure comes from: the item at layers[i], or the block use whose layers failed.
function markRows(path, message, nodeName) {
  document.querySelectorAll(".row.broken").forEach((r) => { r.classList.remove("broken"); r.querySelector(".rowerr")?.remove(); });
  let index = null;
  if (path && path[0] === "layers") index = path[1];
  else if (nodeName && state.doc && state.doc.layers) {
    index = state.doc.layers.findIndex((item) => item && item.name && (nodeName === item.name || nodeName.startsWith(item.name + ".")));
    if (index < 0) index = null;
  }
  if (index === null) return;
  const row = document.querySelector(`.row[data-index="${index}"]`);
  if (!row) return;
  row.classList.add("broken");
  row.append(el("span", { class: "rowerr", role: "alert" }, message));
}

// ---- the result (right) ---------------------------------------------------------------------
function showStatus(text, bad, fix) {
  const s = $("#status");
  s.className = bad ? "bad" : "ok";
  s.replaceChildren(el("div", { class: "message" }, text));
  if (fix) {
    s.append(el("div", { class: "fix" }, "Suggested fix: " + fix.text + " ",
      fix.path ? el("button", { type: "button", id: "apply-fix", onclick: () => applyFix(fix) }, "Apply fix") : null));
  }
}

function applyFix(fix) {
  let target = state.doc;
  for (const p of fix.path) target = target[p];
  target[fix.argument] = fix.value;
  edited(true);
}

function renderResult(data) {
  const s = data.summary;
  const body = $("#table tbody");
  body.replaceChildren();
  const failure = s.failed ? s.layers[s.layers.length - 1] : null;
  s.layers.forEach((row, i) => {
    const rf = row.receptive_field;
    const rfText = rf ? (rf.global ? "global" : rf.size.join("×") + (rf.jump.some((j) => j !== 1) ? ` (jump ${rf.jump.join("×")})` : "")) : "--";
    const weights = row.weights.map((w) => `${w.name} (${w.shape.join(", ")})`).join("; ");
    const params = row.weights.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0);
    const tr = el("tr", { tabindex: 0, "data-index": i, class: `depth${Math.min(row.depth, 2)}` + (row.failed ? " broken" : "") + (state.selected === i ? " selected" : ""),
      onclick: () => select(i), onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(i); } } });
    tr.append(el("td", {}, i), el("td", { class: "lname" }, `${row.name} (${row.type})`));
    const inputs = row.input_shapes.length > 1 ? row.input_shapes.map(shape).join(" + ") : shape(row.input_shapes[0]);
    if (row.failed) {
      tr.append(el("td", { class: "shape" }, `${inputs} → ✗`), el("td", { class: "msg", colspan: 4 }, row.failed));
    } else {
      tr.append(el("td", { class: "shape" }, `${inputs} → ${shape(row.output_shape)}`), el("td", { class: "weights" }, weights || "--"),
        el("td", { class: "num" }, params ? fmt(params) : "--"), el("td", { class: "num" }, row.macs ? fmt(row.macs) : "--"), el("td", {}, rfText));
    }
    body.append(tr);
  });
  const t = $("#totals");
  t.replaceChildren(...[
    failure ? el("span", { class: "partial" }, `Totals of the ${s.layers.length - 1} layer${s.layers.length === 2 ? "" : "s"} before the error:`) : null,
    el("span", {}, "Total params ", el("b", { id: "total-params" }, fmt(s.total_params))),
    el("span", {}, "Trainable ", el("b", {}, fmt(s.trainable_params))),
    el("span", {}, "Non-trainable ", el("b", {}, fmt(s.non_trainable_params))),
    el("span", {}, "MACs ", el("b", { id: "total-macs" }, fmt(s.total_macs))),
    el("span", {}, "Output ", el("b", { id: "output-shape" }, s.failed ? "--" : shape(s.output_shapes[0]))),
    el("span", {}, "Layers ", el("b", {}, data.layers))].filter(Boolean));
  if (failure) {
    const d = s.diagnostics[0];
    showStatus(`${d.source ? d.source + ": " : ""}${failure.failed}`, true, data.fix);
    markRows(data.origins[s.layers.length - 1].path, failure.failed, failure.name);
    body.lastElementChild.scrollIntoView({ block: "nearest" });
    const broken = document.querySelector(".row.broken");
    if (broken && !broken.contains(document.activeElement)) broken.scrollIntoView({ block: "nearest" });
  } else {
    const warnings = s.diagnostics.filter((d) => d.severity === "warning").length;
    showStatus(`${s.layers.length} layers fit: output ${shape(s.output_shapes[0])}` + (warnings ? `; ${warnings} warning${warnings > 1 ? "s" : ""} (see the rows' calculations)` : ""), false);
    markRows(null);
  }
  renderDiagram(s);
  if (state.selected !== null) showCalculation(state.selected);
}

function select(i) {
  state.selected = i;
  document.querySelectorAll("#table tbody tr").forEach((tr) => tr.classList.toggle("selected", Number(tr.dataset.index) === i));
  showCalculation(i);
}

function showCalculation(i) {
  const s = state.last && state.last.summary;
  const row = s && s.layers[i];
  const box = $("#calculation");
  if (!row) { box.replaceChildren(el("p", { class: "hint" }, "Click a row to see its calculation.")); return; }
  const origin = state.last.origins[i];
  const lines = row.failed ? [row.failed] : row.calculation;
  box.replaceChildren(
    el("h3", {}, `${row.name} (${row.type})`, origin && origin.line ? el("span", { class: "hint" }, ` — YAML line ${origin.line}`) : null),
    el("pre", { id: "calculation-text" }, [row.code || "", ...lines, ...(row.warnings || []).map((w) => "warning: " + w)].join("\n")));
}

function renderDiagram(s) {
  const rows = s.layers;
  const keras = framework() === "keras";
  const sizes = rows.map((r) => {
    const o = r.output_shape;
    if (!o) return null;
    if (o.length >= 3) return { h: keras ? o[1] : o[2], c: keras ? o[o.length - 1] : o[1], flat: false, label: keras ? o.slice(1).join("×") : o.slice(1).join("×") };
    return { h: 1, c: o[o.length - 1], flat: true, label: String(o[o.length - 1]) };
  });
  const maxH = Math.max(1, ...sizes.filter(Boolean).map((z) => z.h));
  const maxC = Math.max(1, ...sizes.filter(Boolean).map((z) => z.c));
  const W = Math.max(300, rows.length * 12), H = 140, bw = W / Math.max(rows.length, 1);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("role", "img");
  sizes.forEach((z, i) => {
    const r = document.createElementNS(ns, "rect");
    const h = z ? Math.max(3, (z.flat ? 0.08 : Math.sqrt(z.h / maxH)) * (H - 10)) : H - 10;
    const w = Math.max(2, bw * (0.3 + 0.6 * (z ? Math.log2(1 + z.c) / Math.log2(1 + maxC) : 1)));
    r.setAttribute("x", i * bw + (bw - w) / 2); r.setAttribute("y", (H - h) / 2); r.setAttribute("width", w); r.setAttribute("height", h);
    if (!z) r.setAttribute("class", "broken"); else if (z.flat) r.setAttribute("class", "flat");
    const title = document.createElementNS(ns, "title");
    title.textContent = `${rows[i].name}: ${z ? z.label : "fails"}`;
    r.append(title);
    r.addEventListener("click", () => select(i));
    svg.append(r);
  });
  $("#diagram").replaceChildren(svg);
}

// ---- share (the URL) and downloads -----------------------------------------------------------
const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const unb64url = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

async function pipe(bytes, stream) {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
}

let encoding = Promise.resolve();
function encodeUrl(yaml) {
  encoding = encoding.then(async () => {
    const raw = new TextEncoder().encode(yaml);
    let hash;
    if (window.CompressionStream) hash = "z" + chunked(await pipe(raw, new CompressionStream("deflate-raw")));
    else hash = "p" + chunked(raw);
    history.replaceState(null, "", "#" + hash);
    $("#share-url").value = location.href;
  });
  return encoding;
}
function chunked(bytes) {  // btoa over large arrays without blowing the argument limit
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
async function decodeUrl() {
  const h = location.hash.slice(1);
  if (!h) return null;
  const bytes = unb64url(h.slice(1));
  const raw = h[0] === "z" ? await pipe(bytes, new DecompressionStream("deflate-raw")) : bytes;
  return new TextDecoder().decode(raw);
}

async function download(to) {
  let filename, text;
  if (to === "yaml") {
    filename = ((state.doc && state.doc.name) || "network").replace(/\W+/g, "_") + ".yaml";
    text = $("#yaml").value;
  } else {
    const res = await post("/api/export", { yaml: $("#yaml").value, to });
    if (res.status !== 200) { showStatus(res.data.error.message, true); return; }
    ({ filename, code: text } = res.data);
  }
  const a = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/plain" })), download: filename });
  document.body.append(a); a.click(); a.remove();
}

async function share() {
  await encodeUrl($("#yaml").value);
  try { await navigator.clipboard.writeText(location.href); showStatus("Link copied: it reproduces this design.", false); }
  catch (e) { $("#share-url").select(); }
}

// ---- start ----------------------------------------------------------------------------------
async function loadExample(name) {
  if (!name) return;
  if (name === "new") {
    state.doc = { name: "my-network", framework: "pytorch", input: [1, 1, 28, 28], layers: [] };
    $("#yaml").value = "";
    renderRows(); renderMeta();
    $("#table tbody").replaceChildren(); $("#totals").replaceChildren(); $("#diagram").replaceChildren();
    showStatus("An empty network: add a layer.", false);
    return;
  }
  const r = await fetch(`/api/examples/${encodeURIComponent(name)}`);
  const data = await r.json();
  if (r.status !== 200) { showStatus(data.error.message, true); return; }
  $("#yaml").value = data.yaml;
  state.selected = null;
  await update({ yaml: data.yaml }, "example");
}

async function init() {
  const [pt, ks, ex] = await Promise.all(["pytorch", "keras"].map((f) => fetch(`/api/layers?framework=${f}`).then((r) => r.json())).concat([fetch("/api/examples").then((r) => r.json())]));
  state.catalogue = { pytorch: pt.layers, keras: ks.layers };
  const start = $("#start");
  start.append(el("option", { value: "new" }, "new (empty)"));
  const tut = el("optgroup", { label: "Tutorials and examples" }), zoo = el("optgroup", { label: "Zoo" });
  for (const e of ex.examples) (e.kind === "zoo" ? zoo : tut).append(el("option", { value: e.name, title: e.description }, e.name));
  start.append(tut, zoo);
  start.addEventListener("change", () => loadExample(start.value));
  $("#yaml").addEventListener("input", (e) => { const t0 = performance.now(); update({ yaml: e.target.value }, "yaml", t0); });
  $("#input-shape").addEventListener("input", (e) => {
    const parts = e.target.value.split(/[\s,x×]+/).filter(Boolean).map((p) => (/^(null|none|\?)$/i.test(p) ? null : Number(p)));
    if (!state.doc || parts.some((p) => p !== null && !Number.isInteger(p))) { showStatus("the input shape is sizes separated by commas, e.g. 1, 3, 224, 224", true); return; }
    state.doc.input = parts; edited(false);
  });
  $("#spec-name").addEventListener("input", (e) => { if (state.doc) { state.doc.name = e.target.value; edited(false); } });
  $("#framework").addEventListener("change", (e) => { if (state.doc) { state.doc.framework = e.target.value; edited(true); } });
  $("#add-row").addEventListener("click", addRow);
  $("#share").addEventListener("click", share);
  for (const to of ["yaml", "pytorch", "keras"]) $(`#download-${to}`).addEventListener("click", () => download(to));
  const shared = await decodeUrl().catch(() => null);
  if (shared !== null) { $("#yaml").value = shared; await update({ yaml: shared }, "example"); }
  else await loadExample("residual-cnn");
  document.body.dataset.ready = "1";
}

init();
