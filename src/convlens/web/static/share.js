// Share and download: the design in the URL (deflated YAML), the YAML and the exported code as files.
import { post } from "./api.js";
import { tr } from "./i18n.js";
import { showStatus } from "./result.js";
import { $, el, state } from "./state.js";

const unb64url = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

async function pipe(bytes, stream) {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
}

let encoding = Promise.resolve();
export function encodeUrl(yaml) {
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
export async function decodeUrl() {
  const h = location.hash.slice(1);
  if (!h) return null;
  const bytes = unb64url(h.slice(1));
  const raw = h[0] === "z" ? await pipe(bytes, new DecompressionStream("deflate-raw")) : bytes;
  return new TextDecoder().decode(raw);
}

export async function download(to) {
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

export async function share() {
  await encodeUrl($("#yaml").value);
  try { await navigator.clipboard.writeText(location.href); showStatus(tr("Link copied: it reproduces this design."), false); }
  catch (e) { $("#share-url").select(); }
}

