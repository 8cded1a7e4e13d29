// The result (right): status, table, totals and the worked calculation, laid out from the
// answer's "cells" (render/page.py spells every number and shape; nothing is counted here).
import { tr, trn } from "./i18n.js";
import { edited, markRows } from "./rows.js";
import { $, el, state } from "./state.js";

export function showStatus(text, bad, fix) {
  const s = $("#status");
  s.className = bad ? "bad" : "ok";
  s.replaceChildren(el("div", { class: "message" }, text));
  if (fix) {
    s.append(el("div", { class: "fix" }, tr("Suggested fix: {fix}", { fix: fix.text }) + " ",
      fix.path ? el("button", { type: "button", id: "apply-fix", onclick: () => applyFix(fix) }, tr("Apply fix")) : null));
  }
}

function applyFix(fix) {
  let target = state.doc;
  for (const p of fix.path) target = target[p];
  target[fix.argument] = fix.value;
  edited(true);
}

export function renderResult(data) {
  const { rows, totals } = data.cells;
  const s = data.summary;
  const body = $("#table tbody");
  body.replaceChildren();
  rows.forEach((row, i) => {
    const line = el("tr", { tabindex: 0, "data-index": i, class: `depth${Math.min(row.depth, 2)}` + (row.failed ? " broken" : "") + (state.selected === i ? " selected" : ""),
      onclick: () => select(i), onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(i); } } });
    line.append(el("td", {}, i), el("td", { class: "lname" }, `${row.name} (${row.type})`));
    if (row.failed) {
      line.append(el("td", { class: "shape" }, `${row.inputs} → ✗`), el("td", { class: "msg", colspan: 4 }, row.failed));
    } else {
      line.append(el("td", { class: "shape" }, `${row.inputs} → ${row.output}`), el("td", { class: "weights" }, row.weights),
        el("td", { class: "num" }, row.params), el("td", { class: "num" }, row.macs), el("td", {}, row.receptive_field));
    }
    body.append(line);
  });
  const before = s.failed ? rows.length - 1 : null;  // the failing row is the last one
  $("#totals").replaceChildren(...[
    s.failed ? el("span", { class: "partial" }, trn("Totals of the {n} layer before the error:", "Totals of the {n} layers before the error:", before, { n: before })) : null,
    el("span", {}, tr("Total params") + " ", el("b", { id: "total-params" }, totals.params)),
    el("span", {}, tr("Trainable") + " ", el("b", {}, totals.trainable)),
    el("span", {}, tr("Non-trainable") + " ", el("b", {}, totals.non_trainable)),
    el("span", {}, tr("MACs") + " ", el("b", { id: "total-macs" }, totals.macs)),
    el("span", {}, tr("Output") + " ", el("b", { id: "output-shape" }, totals.output)),
    el("span", {}, tr("Layers") + " ", el("b", {}, data.layers))].filter(Boolean));
  if (s.failed) {
    const failure = rows[rows.length - 1];
    const d = s.diagnostics[0];
    showStatus(`${d.source ? d.source + ": " : ""}${failure.failed}`, true, data.fix);
    markRows(data.origins[rows.length - 1].path, failure.failed, failure.name);
    body.lastElementChild.scrollIntoView({ block: "nearest" });
    const broken = document.querySelector(".row.broken");
    if (broken && !broken.contains(document.activeElement)) broken.scrollIntoView({ block: "nearest" });
  } else {
    const w = totals.warnings;
    const fit = { n: rows.length, output: totals.output, w };
    showStatus(w ? trn("{n} layers fit: output {output}; {w} warning (see the rows' calculations)", "{n} layers fit: output {output}; {w} warnings (see the rows' calculations)", w, fit)
      : tr("{n} layers fit: output {output}", fit), false);
    markRows(null);
  }
  if (state.selected !== null) showCalculation(state.selected);
}

export function select(i) {
  state.selected = i;
  document.querySelectorAll("#table tbody tr").forEach((r) => r.classList.toggle("selected", Number(r.dataset.index) === i));
  document.querySelectorAll("#diagram g.node").forEach((g) => g.classList.toggle("selected", g.dataset.row === String(i)));
  showCalculation(i);
}

export function showCalculation(i) {
  const s = state.last && state.last.summary;
  const row = s && s.layers[i];
  const box = $("#calculation");
  if (!row) { box.replaceChildren(el("p", { class: "hint" }, tr("Click a row or a node of the diagram to see its calculation."))); return; }
  const origin = state.last.origins[i];
  const lines = row.failed ? [row.failed] : row.calculation;
  box.replaceChildren(
    el("h3", {}, `${row.name} (${row.type})`, origin && origin.line ? el("span", { class: "hint" }, " — " + tr("YAML line {line}", { line: origin.line })) : null),
    el("pre", { id: "calculation-text" }, [row.code || "", ...lines, ...(row.warnings || []).map((w) => tr("warning: {warning}", { warning: w }))].join("\n")));
}
