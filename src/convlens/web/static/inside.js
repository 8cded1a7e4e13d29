// The Inside view: lays out what /api/inside and /api/inside/unit give; it computes no network numbers itself.
import { N_, loadLanguage, sameLanguage, tr, trNodes, withLang } from "./i18n.js";
import { decodeUrl } from "./share.js";

const $ = (s) => document.querySelector(s);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  e.append(...kids);
  return e;
};

const state = { run: null, runs: [], picked: null, inside: null, layers: new Map(), unit: null, offset: 0, timer: null, animating: null, runSeq: 0, pickSeq: 0 };

async function api(path, body) {
  const r = await fetch(withLang(path), body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const data = await r.json();
  if (!r.ok) throw new Error(data.error ? data.error.message : `HTTP ${r.status}`);
  return data;
}
function status(text, bad = false) { $("#status").textContent = text; $("#status").className = bad ? "bad" : ""; }
const fail = (e) => status(e.message, true);

// ---- drawing ----------------------------------------------------------------------------
function colour(v, m) {  // diverging: blue (−m) → white (0) → red (+m), the layer's own scale
  const t = m > 0 ? Math.max(-1, Math.min(1, v / m)) : 0;
  if (t >= 0) return [255 - 77 * t, 255 - 231 * t, 255 - 212 * t];
  const s = -t;
  return [255 - 222 * s, 255 - 153 * s, 255 - 83 * s];
}
function paint(canvas, values, h, w, m, grey = null) {
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    const c = grey ? Array(3).fill(255 * (values[i] - grey[0]) / (grey[1] - grey[0] || 1)) : colour(values[i], m);
    img.data.set([c[0], c[1], c[2], 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}
function floats(b64) {
  const bin = atob(b64), bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}
function bytes(b64) {
  const bin = atob(b64), out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// ---- runs and test images ------------------------------------------------------------------
async function loadRuns(select) {
  const data = await api("/api/runs");
  state.runs = data.runs;
  const sel = $("#run");
  sel.replaceChildren(...data.runs.map((r) => el("option", { value: r.name, text: r.name })));
  if (!data.runs.length) { status(tr("No runs in {root}/ yet: train one below or with convlens train --out {root}/NAME", { root: data.root })); return; }
  sel.value = select && data.runs.some((r) => r.name === select) ? select : data.runs[0].name;
  await openRun(sel.value);
}
async function openRun(name) {
  state.run = name;
  state.runSeq++; state.pickSeq++;  // answers for the run shown before are dropped
  const r = state.runs.find((x) => x.name === name);
  $("#run-info").textContent = r.text;
  $("#pictures").replaceChildren(...r.pictures.map((p) => el("img", { src: withLang(`/api/runs/${encodeURIComponent(name)}/pictures/${p}`), alt: p })));
  state.offset = 0;
  $("#thumbs").replaceChildren();
  await loadTests(true);
}
async function loadTests(first) {
  const q = new URLSearchParams({ offset: state.offset, label: $("#class").value, misclassified: $("#wrong").checked ? "1" : "0" });
  const seq = state.runSeq;
  const data = await api(`/api/runs/${encodeURIComponent(state.run)}/tests?${q}`);
  if (seq !== state.runSeq) return;
  if (first) {
    const keep = $("#class").value;
    $("#class").replaceChildren(el("option", { value: "", text: tr("all") }), ...data.classes.map((c, i) => el("option", { value: i, text: c })));
    $("#class").value = keep;
  }
  $("#count").textContent = data.text;
  const [c, h, w] = data.shape;
  for (const im of data.images) {
    const which = { index: im.index, label: data.classes[im.label], predicted: data.classes[im.predicted] };
    const cv = el("canvas", { "data-index": im.index, title: im.predicted !== im.label ? tr("#{index}: {label} (predicted {predicted})", which) : `#${im.index}: ${which.label}` });
    drawPixels(cv, bytes(im.pixels), c, h, w);
    if (im.predicted !== im.label) cv.classList.add("wrong");
    cv.addEventListener("click", () => pick({ test_index: im.index }, cv));
    $("#thumbs").append(cv);
  }
  state.offset += data.images.length;
  $("#more").disabled = state.offset >= data.count;
  if (first && data.images.length && !state.picked) await pick({ test_index: data.images[0].index }, $("#thumbs canvas"));
}
function drawPixels(canvas, px, c, h, w) {  // uint8 C×H×W
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    const r = px[i], g = c === 3 ? px[h * w + i] : r, b = c === 3 ? px[2 * h * w + i] : r;
    img.data.set([r, g, b, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}

// ---- one image through the network -----------------------------------------------------------
async function pick(which, thumb) {
  document.querySelectorAll("#thumbs canvas.chosen").forEach((x) => x.classList.remove("chosen"));
  if (thumb) thumb.classList.add("chosen");
  state.picked = which;
  const seq = ++state.pickSeq;
  document.body.dataset.inside = "0";
  const data = await api("/api/inside", { run: state.run, ...which });
  if (seq !== state.pickSeq) return;  // another image was picked meanwhile
  state.inside = data;
  status("");
  showInput(data);
  showPrediction(data);
  showLayers(data);
  $("#unit").hidden = true;
  document.body.dataset.shown = `${state.run}/${which.test_index ?? "image"}`;
  document.body.dataset.inside = "1";
}
function showInput(data) {
  const [c, h, w] = data.input_shape;
  const flat = data.input.flat(2);
  paint($("#input"), c === 1 ? flat : flat.slice(0, h * w), h, w, 0, data.input_range);
  $("#input-caption").textContent = data.input_text + (data.label ? " · " + tr("true class {label}", { label: data.label.label }) : "");
  $("#notes").textContent = data.notes.join("; ");
  $("#input-fig").querySelectorAll(".rf").forEach((x) => x.remove());
}
function showPrediction(data) {
  const p = data.prediction;
  $("#prediction").replaceChildren(el("h2", { text: tr("Prediction: {label}", { label: p.label }) }),
    ...p.top.map((t) => el("div", { class: "bar" + (t.index === p.index ? " top" : "") }, el("b", { text: t.label }), el("span", {}, el("i", { style: `width:${100 * t.probability}%` })), el("span", { text: t.text }))));
}
function showLayers(data) {
  state.layers.clear();
  const blocks = data.layers.map((L) => {
    const values = floats(L.data), m = L.scale;
    const spatial = L.shape.length === 3;
    const [C, H, W] = spatial ? L.shape : [1, 1, L.shape[0]];
    const scale = Math.max(1, Math.floor(56 / Math.max(H, 1)));
    const maps = el("div", { class: "maps" });
    const info = { ...L, values, m, C, H, W, scale, spatial, canvases: [] };
    for (let c = 0; c < C; c++) {
      const cv = el("canvas", { "data-layer": L.name, "data-channel": c, title: tr("{layer} channel {channel}", { layer: L.name, channel: c }) });
      paint(cv, values.subarray(c * H * W, (c + 1) * H * W), H, W, m);
      cv.style.width = `${W * (spatial ? scale : 14)}px`; cv.style.height = `${H * (spatial ? scale : 14)}px`;
      cv.addEventListener("click", (ev) => {
        const r = cv.getBoundingClientRect();
        const x = Math.max(0, Math.min(W - 1, Math.floor((ev.clientX - r.left) / r.width * W)));
        const y = Math.max(0, Math.min(H - 1, Math.floor((ev.clientY - r.top) / r.height * H)));
        clickUnit(L.name, spatial ? c : x, spatial ? y : null, spatial ? x : null).catch(fail);
      });
      const box = el("div", { class: "map" }, cv);
      maps.append(box);
      info.canvases.push(box);
    }
    state.layers.set(L.name, info);
    return el("div", { class: "layer", "data-layer": L.name },
      el("h3", {}, `${L.name} `, el("span", { text: L.input_from ? tr("{type} → {shape}, reads {input}", { type: L.type, shape: L.shape.join("×"), input: L.input_from }) : `${L.type} → ${L.shape.join("×")}` }),
        el("span", { class: "scale" }, L.scale_text[0], el("i"), L.scale_text[1])), maps);
  });
  $("#layers").replaceChildren(...blocks);
}

// ---- one unit ---------------------------------------------------------------------------
async function clickUnit(layer, channel, y, x) {
  stopAnimation();
  const u = await api("/api/inside/unit", { run: state.run, ...state.picked, layer, channel, y, x });
  state.unit = u;
  showUnit(u);
}
function clearMarks() { document.querySelectorAll(".map .box, .map .unitbox, .rf").forEach((x) => x.remove()); }
function mark(boxEl, info, rows, cols, cls) {
  const top = Math.max(0, rows[0]), bottom = Math.min(info.H - 1, rows[rows.length - 1]);
  const left = Math.max(0, cols[0]), right = Math.min(info.W - 1, cols[cols.length - 1]);
  const cv = boxEl.querySelector("canvas"), sx = cv.clientWidth / info.W, sy = cv.clientHeight / info.H;
  const b = el("div", { class: cls });
  Object.assign(b.style, { left: `${left * sx - 1}px`, top: `${top * sy - 1}px`, width: `${(right - left + 1) * sx}px`, height: `${(bottom - top + 1) * sy}px` });
  boxEl.append(b);
  return b;
}
function showUnit(u) {
  clearMarks();
  const here = state.layers.get(u.layer);
  const where = u.y === null ? tr("feature {channel}", { channel: u.channel }) : tr("channel {channel}, y {y}, x {x}", { channel: u.channel, y: u.y, x: u.x });
  $("#unit").hidden = false;
  $("#unit-title").textContent = `${u.layer} (${u.type}): ${where}`;
  $("#unit-value").textContent = u.input_value_text ? tr("value {value} (its input there: {input})", { value: u.value_text, input: u.input_value_text })
    : tr("value {value}", { value: u.value_text });
  $("#unit-value").dataset.value = u.value;
  $("#unit-formula").textContent = u.formula.join("\n");
  if (u.y !== null && here) mark(here.canvases[u.channel], here, [u.y], [u.x], "unitbox");
  const prev = u.input_from && state.layers.get(u.input_from);
  if (prev && u.rows.length) {
    const chans = u.kind === "conv" ? [...Array(u.in_channels[1] - u.in_channels[0]).keys()].map((i) => i + u.in_channels[0]) : [u.channel];
    for (const c of chans) if (prev.canvases[c]) mark(prev.canvases[c], prev, u.rows, u.cols, "box");
  }
  if (u.receptive_field) {
    const f = u.receptive_field, cv = $("#input"), [_, h, w] = state.inside.input_shape, s = cv.clientWidth / w;
    const b = el("div", { class: "rf", title: tr("receptive field {size}", { size: f.size.join("×") }) });
    Object.assign(b.style, { left: `${f.left * s}px`, top: `${f.top * s}px`, width: `${(f.right - f.left + 1) * s}px`, height: `${(f.bottom - f.top + 1) * s}px` });
    $("#input-fig").append(b);
  }
  $("#unit-tables").replaceChildren(...tables(u));
  $("#animate").hidden = u.kind !== "conv" || !prev;
}
function table(caption, texts, cls = () => "") {  // texts: the cells as the server formatted them
  return el("table", {}, el("caption", { text: caption }), ...texts.map((row, i) => el("tr", {}, ...row.map((v, j) => el("td", { class: cls(i, j), text: v })))));
}
function tables(u) {
  const pad = (i, j) => (u.rows[i] < 0 || u.cols[j] < 0 || u.rows[i] >= (state.layers.get(u.input_from) || { H: 1e9 }).H || u.cols[j] >= (state.layers.get(u.input_from) || { W: 1e9 }).W ? "pad" : "");
  if (u.kind === "conv") {
    const out = [];
    const shown = Math.min(u.window.length, 4);
    for (let c = 0; c < shown; c++) {
      const ch = u.in_channels[0] + c;
      out.push(table(tr("input {channel} window", { channel: ch }), u.window_text[c], pad), table(`kernel[${u.channel}, ${ch}]`, u.kernel_text[c]),
        table(tr("products"), u.products_text[c]));
    }
    if (u.window.length > shown) out.push(el("div", { class: "muted", text: tr("… and {n} more input channels: every one is in the formula below", { n: u.window.length - shown }) }));
    out.push(el("div", { text: tr("bias {bias}", { bias: u.bias_text }) }));
    return out;
  }
  if (u.kind === "maxpool") return [table(tr("window (the largest won)"), u.window_text, (i, j) => (u.rows[i] === u.winner[0] && u.cols[j] === u.winner[1] ? "won" : pad(i, j)))];
  if (u.kind === "avgpool") return [table(tr("window"), u.window_text, pad)];
  if (u.kind === "linear") return [table(tr("largest contributions: input · weight = product"), u.contributions_text.slice(0, 10))];
  return [];
}

// ---- the kernel sliding -------------------------------------------------------------------------
function stopAnimation() { if (state.animating) { clearInterval(state.animating); state.animating = null; } }
function animate() {
  stopAnimation();
  const u = state.unit, here = state.layers.get(u.layer), prev = state.layers.get(u.input_from);
  const box = here.canvases[u.channel], cv = box.querySelector("canvas"), ctx = cv.getContext("2d");
  const full = ctx.getImageData(0, 0, here.W, here.H), blank = ctx.createImageData(here.W, here.H);
  blank.data.fill(255);
  const [sy, sx] = u.stride;  // the window of output (y, x) is the clicked unit's, moved by (y − u.y, x − u.x) strides
  let k = 0;
  ctx.putImageData(blank, 0, 0);
  const steps = here.H * here.W;
  state.animating = setInterval(() => {
    if (k >= steps) { stopAnimation(); ctx.putImageData(full, 0, 0); showUnit(u); return; }
    const y = Math.floor(k / here.W), x = k % here.W;
    const pixel = full.data.slice(4 * k, 4 * k + 4);
    const done = ctx.getImageData(0, 0, here.W, here.H);
    done.data.set(pixel, 4 * k);
    ctx.putImageData(done, 0, 0);
    clearMarks();
    mark(box, here, [y], [x], "unitbox");
    const rows = u.rows.map((r) => r + (y - u.y) * sy), cols = u.cols.map((c) => c + (x - u.x) * sx);
    for (let c = u.in_channels[0]; c < Math.min(u.in_channels[1], u.in_channels[0] + 8); c++) mark(prev.canvases[c], prev, rows, cols, "box");
    k++;
  }, Math.max(4, 4000 / steps));
}

// ---- dropping an image ------------------------------------------------------------------------
function readFile(file) {
  const reader = new FileReader();
  reader.onload = () => pick({ image: String(reader.result).split(",", 2)[1] }, null).catch(fail);
  reader.readAsDataURL(file);
}

// ---- training from the page -----------------------------------------------------------------------
async function designedYaml() {  // the design page's link carries its network in the hash, as its share link does
  try { return await decodeUrl(); } catch (e) { return null; }
}
async function setUpTraining() {
  const ex = await api("/api/examples");
  const zoo = ex.examples.filter((e) => e.kind === "zoo");
  const opts = zoo.map((e) => el("option", { value: e.name, text: e.name }));
  state.designed = await designedYaml();
  if (state.designed) opts.unshift(el("option", { value: "designed", text: tr("the network being designed") }));
  $("#train-model").replaceChildren(...opts);
  $("#train-model").value = state.designed ? "designed" : "zoo:fastnet";
  const t = await api("/api/train");
  if (t.state === "running") follow();
}
async function startTraining() {
  const v = $("#train-model").value;
  const body = v === "designed" ? { yaml: state.designed } : { model: v };
  body.epochs = Number($("#train-epochs").value);
  try { showTraining(await api("/api/train", body)); follow(); } catch (e) { fail(e); }
}
function follow() {
  clearInterval(state.timer);
  $("#train-panel").open = true;
  state.timer = setInterval(async () => {
    const t = await api("/api/train");
    showTraining(t);
    if (t.state !== "running") {
      clearInterval(state.timer);
      if (t.state === "done") { state.picked = null; await loadRuns(t.run); }
    }
  }, 500);  // the training process rewrites progress.json about twice a second
}
function showTraining(t) {
  const running = t.state === "running";
  $("#train-start").disabled = running; $("#train-cancel").disabled = !running;
  $("#train-status").textContent = t.text;
  $("#train-status").dataset.state = t.state;
  $("#train-status").dataset.batch = t.state === "running" && t.progress ? `${t.progress.epoch}:${t.progress.batch}` : "";
  $("#train-output").textContent = t.output.join("\n");
}

// ---- start --------------------------------------------------------------------------------
// The drop zone's sentence holds the file chooser and a command: its words in the page's language, the elements kept.
function wordDropZone() {
  const drop = $("#drop"), choose = drop.querySelector("label.file"), command = drop.querySelector("code");
  drop.replaceChildren(...trNodes(N_("Drop an image file here (or {choose}): converted as {command} converts it."), { choose, command }));
}

async function main() {
  const problem = await loadLanguage();
  wordDropZone();
  $("#design-link").href = sameLanguage("/");
  $("#run").addEventListener("change", () => { state.picked = null; openRun($("#run").value).catch(fail); });
  $("#class").addEventListener("change", () => { state.offset = 0; $("#thumbs").replaceChildren(); loadTests(false).catch(fail); });
  $("#wrong").addEventListener("change", () => { state.offset = 0; $("#thumbs").replaceChildren(); loadTests(false).catch(fail); });
  $("#more").addEventListener("click", () => loadTests(false).catch(fail));
  $("#animate").addEventListener("click", animate);
  $("#file").addEventListener("change", (e) => e.target.files[0] && readFile(e.target.files[0]));
  const drop = $("#drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); if (e.dataTransfer.files[0]) readFile(e.dataTransfer.files[0]); });
  $("#train-start").addEventListener("click", startTraining);
  $("#train-cancel").addEventListener("click", async () => { try { showTraining(await api("/api/train/cancel", {})); } catch (e) { fail(e); } });
  await setUpTraining().catch(fail);
  await loadRuns().catch(fail);
  if (problem) status(problem, true);  // ?lang= named a language convlens lacks: the page is in English, and says why
  document.body.dataset.ready = "1";
}
main();
