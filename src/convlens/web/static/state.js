// The page's state, the element helpers and the hooks between modules. Every number and text the
// page shows comes from the API (/api/summary's "cells", /api/diagram's SVG); the page lays it out.
export const state = {
  doc: null,            // the spec document as the server last read it
  catalogue: {},        // framework -> {type: [{name, default}]}
  last: null,           // last successful /api/summary answer
  selected: null,       // index of the row whose calculation is shown
  latencies: [],        // ms from an edit to the updated table, newest last
  timings: [],          // the same, split: {total, request (answer received), render}
  diagramLatencies: [], // ms from an edit to the updated diagram, newest last
  diagram: null,        // last /api/diagram answer: {svg, nodes, filename}
};
window.convlens = state;

// set by main.js: send the page's document (after a row edit) to the API
export const hooks = { edited: () => {} };

export const $ = (sel) => document.querySelector(sel);

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c.nodeType ? c : String(c));
  return e;
}
