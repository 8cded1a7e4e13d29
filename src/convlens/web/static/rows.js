// The rows (left): one editor row per item of the spec's layers, kept in step with the document.
import { tr } from "./i18n.js";
import { $, el, hooks, state } from "./state.js";

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

// ---- the rows ------------------------------------------------------------------------------
export function framework() { return (state.doc && state.doc.framework) || "pytorch"; }
function types() { return state.catalogue[framework()] || {}; }

export function renderMeta() {
  const d = state.doc || {};
  if (document.activeElement !== $("#input-shape")) $("#input-shape").value = (d.input || []).map((v) => (v === null ? "null" : v)).join(", ");
  if (document.activeElement !== $("#spec-name")) $("#spec-name").value = d.name || "";
  $("#framework").value = framework();
}

export function renderRows() {
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
    const select = el("select", { "aria-label": tr("layer {i} {key}", { i, key: "type" }), "data-key": `${i}:type`, onchange: (e) => setType(i, e.target.value) });
    const known = Object.keys(types());
    if (!known.includes(item.type)) known.unshift(item.type);
    for (const t of known) select.append(el("option", { value: t, selected: t === item.type }, t));
    li.append(el("label", {}, "type", select));
    li.append(field(i, "name", item.name, "name"));
    li.append(field(i, "inputs", item.inputs, "inputs", tr("previous")));
    for (const arg of types()[item.type] || []) li.append(field(i, arg.name, item[arg.name], "", showValue(arg.default === null ? undefined : arg.default)));
    for (const k of Object.keys(item)) {  // arguments the catalogue does not list (a typo shows up as the server's error)
      if (!["type", "name", "inputs", "repeat"].includes(k) && !(types()[item.type] || []).some((a) => a.name === k)) li.append(field(i, k, item[k]));
    }
  } else if (typeof item === "object" && item !== null && "block" in item) {
    const blocks = (state.doc && state.doc.blocks) || {};
    const select = el("select", { "aria-label": tr("layer {i} {key}", { i, key: "block" }), "data-key": `${i}:block`, onchange: (e) => { item.block = e.target.value; edited(true); } });
    const names = Object.keys(blocks);
    if (!names.includes(item.block)) names.unshift(item.block);
    for (const b of names) select.append(el("option", { value: b, selected: b === item.block }, b));
    li.append(el("label", {}, "block", select));
    li.append(field(i, "name", item.name, "name"));
    li.append(field(i, "repeat", item.repeat, "", "1"));
    const params = (blocks[item.block] || {}).params || {};
    for (const [p, dflt] of Object.entries(params)) li.append(withField(i, p, (item.with || {})[p], dflt));
  } else {
    const text = typeof item === "string" ? item : tr("branches ({n}) merged by {merge}", { n: (item.branches || []).length, merge: item.merge });
    li.append(el("span", { class: "struct", title: tr("edit this item in the YAML") }, text, el("span", { class: "hint" }, " — " + tr("edit in the YAML"))));
  }
  li.append(el("span", { class: "moves" },
    el("button", { type: "button", "aria-label": tr("move layer {i} up", { i }), "data-move": `${i}:-1`, disabled: i === 0, onclick: () => move(i, -1) }, "↑"),
    el("button", { type: "button", "aria-label": tr("move layer {i} down", { i }), "data-move": `${i}:1`, disabled: i === n - 1, onclick: () => move(i, 1) }, "↓"),
    el("button", { type: "button", "aria-label": tr("remove layer {i}", { i }), onclick: () => remove(i) }, "✕")));
  return li;
}

function field(i, key, value, cls = "", placeholder = "") {
  const input = el("input", { class: cls, value: showValue(value), placeholder, "aria-label": tr("layer {i} {key}", { i, key }), "data-key": `${i}:${key}`, spellcheck: "false",
    oninput: (e) => setArg(i, key, e.target.value) });
  return el("label", {}, key, input);
}

// a block's parameter, given where the block is used (item.with)
function withField(i, key, value, dflt) {
  const input = el("input", { value: showValue(value), placeholder: dflt === null ? tr("required") : showValue(dflt), "aria-label": tr("layer {i} {key}", { i, key }),
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

export function edited(structural) {
  const t0 = performance.now();
  if (structural) renderRows();
  hooks.edited(t0);
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
  const again = document.querySelector(`[data-move="${i + step}:${step}"]`);  // the same button on the row's new place
  if (again && !again.disabled) again.focus();
}

function remove(i) {
  state.doc.layers.splice(i, 1);
  edited(true);
}

export function addRow() {
  if (!state.doc) state.doc = { input: [1, 3, 32, 32], layers: [] };
  state.doc.layers = state.doc.layers || [];
  state.doc.layers.push({ type: framework() === "keras" ? "Conv2D" : "Conv2d" });
  edited(true);
  const sel = document.querySelector(`[data-key="${state.doc.layers.length - 1}:type"]`);
  if (sel) sel.focus();
}

// Mark the editor row the failure comes from: the item at layers[i], or the block use whose layers failed.
export function markRows(path, message, nodeName) {
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

