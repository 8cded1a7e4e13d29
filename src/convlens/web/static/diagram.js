// The diagram: drawn by the server (render/diagram.py, Graphviz dot) after the table, never before
// it; each node's SVG id maps to the rows it stands for (/api/diagram's "nodes"). A click or Enter
// on a node shows its row's calculation; the breaking node is marked; SVG and PNG download.
import { latest, post } from "./api.js";
import { tr } from "./i18n.js";
import { select } from "./result.js";
import { $, el, state } from "./state.js";

const send = latest("/api/diagram", show, () => {});

// Ask for the diagram of `body` (the request the table was just drawn from); t0: the edit's time.
export function drawDiagram(body, t0) {
  return send({ body, source: "diagram", t0 });
}

export function clearDiagram() {
  state.diagram = null;
  $("#diagram").replaceChildren();
}

function show(job, res) {
  const box = $("#diagram");
  if (res.status !== 200) {  // a diagram too large to lay out in time: the table stays, the reason is shown
    box.replaceChildren(el("p", { class: "hint", id: "diagram-error" }, res.data.error ? res.data.error.message : `HTTP ${res.status}`));
    return;
  }
  state.diagram = res.data;
  const svg = new DOMParser().parseFromString(res.data.svg, "image/svg+xml").documentElement;
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", tr("the network's diagram: click a node for its calculation"));
  box.replaceChildren(document.adoptNode(svg));
  for (const node of res.data.nodes) {
    const g = svg.querySelector(`g.node[id="${CSS.escape(node.id)}"]`);
    if (!g || !node.rows.length) continue;
    const row = node.rows[0];
    g.dataset.row = row;
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.classList.toggle("broken", node.failed);
    g.classList.toggle("selected", state.selected === row);
    g.addEventListener("click", () => select(row));
    g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(row); } });
  }
  const bad = box.querySelector("g.node.broken");  // the breaking node in view, inside the diagram's own scroll box
  if (bad) { const b = bad.getBoundingClientRect(), c = box.getBoundingClientRect(); box.scrollTop += b.top - c.top - c.height / 2; }
  const ms = performance.now() - job.t0;
  state.diagramLatencies.push(ms);
  document.body.dataset.diagramLatency = ms.toFixed(1);
}

function save(blob, filename) {
  const a = el("a", { href: URL.createObjectURL(blob), download: filename });
  document.body.append(a); a.click(); a.remove();
}

// SVG: the diagram as shown; PNG: drawn by the server from the current YAML.
export async function downloadDiagram(format) {
  if (!state.diagram) return;
  if (format === "svg") { save(new Blob([state.diagram.svg], { type: "image/svg+xml" }), state.diagram.filename); return; }
  const res = await post("/api/diagram", { yaml: $("#yaml").value, format: "png" });
  if (res.status === 200) save(res.data, state.diagram.filename.replace(/\.svg$/, ".png"));
}
