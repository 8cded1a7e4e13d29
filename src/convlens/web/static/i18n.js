// The page's language (issue 19): ?lang= in the URL chooses it (English by default); its messages are the
// page's catalog (page.po), read from /api/messages. Text is written once, in English, with named
// placeholders as in Python: tr("{n} layers fit", { n }). The msgid must be a string literal (Babel's
// extractor reads tr("..."), trn("...", "...", n) and N_("...") calls); the HTML marks its own with data-tr.
export const LANGUAGES = { en: "English", ko: "한국어" };  // each in its own language, never translated

const asked = new URLSearchParams(location.search).get("lang");
let lang = asked || "en";
let messages = {}, plurals = {};

export function language() { return lang; }

// Python's str.format for named fields: {name} filled, {{ and }} are braces.
function format(text, fields = {}) {
  return text.replace(/\{\{|\}\}|\{(\w+)\}/g, (m, k) => (m === "{{" ? "{" : m === "}}" ? "}" : k in fields ? String(fields[k]) : m));
}

export function tr(msgid, fields) { return format(messages[msgid] || msgid, fields); }

export function trn(singular, plural, n, fields) {
  const forms = plurals[singular];
  const text = forms ? forms[Math.min(forms.length - 1, n === 1 ? 0 : 1)] : n === 1 ? singular : plural;  // Korean: one form
  return format(text, fields);
}

export function N_(msgid) { return msgid; }

// `path` with the page's language as ?lang= (every API request carries it).
export function withLang(path) {
  return path + (path.includes("?") ? "&" : "?") + "lang=" + encodeURIComponent(lang);
}

// A sentence whose {fields} are elements (a link, a <code>): the translation's words around them, the nodes in place.
export function trNodes(msgid, nodes) {
  const parts = tr(msgid).split(/\{(\w+)\}/);
  return parts.map((p, i) => (i % 2 ? nodes[p] : p)).filter((p) => p !== "" && p !== undefined);
}

// This page's URL in another language, the design (the hash) kept.
export function urlIn(other) {
  const q = new URLSearchParams(location.search);
  if (other === "en") q.delete("lang"); else q.set("lang", other);
  const search = q.toString();
  return location.pathname + (search ? "?" + search : "") + location.hash;
}

// Another page of convlens (href "/" or "/inside"), in this page's language.
export function sameLanguage(href) {
  return lang === "en" ? href : href + "?lang=" + encodeURIComponent(lang);
}

// Load the messages, translate the HTML's marked text and attributes, set <html lang>, wire the switch.
// Returns null, or the server's message when ?lang= names a language convlens lacks (the page stays English).
export async function loadLanguage() {
  let problem = null;
  if (asked !== null) {
    const r = await fetch(`/api/messages?lang=${encodeURIComponent(asked)}`);
    const data = await r.json();
    if (r.ok) ({ lang, messages, plurals } = data);
    else { lang = "en"; problem = data.error ? data.error.message : `HTTP ${r.status}`; }
  }
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-tr]")) {
    const msgid = e.textContent.split(/\s+/).filter(Boolean).join(" ");  // as the extractor reads it
    if (messages[msgid]) e.textContent = messages[msgid];
  }
  for (const e of document.querySelectorAll("[data-tr-attr]")) {
    for (const name of e.getAttribute("data-tr-attr").split(/\s+/)) {
      const msgid = e.getAttribute(name);
      if (msgid && messages[msgid]) e.setAttribute(name, messages[msgid]);
    }
  }
  const select = document.querySelector("#lang");
  if (select) {
    select.value = lang;
    select.addEventListener("change", () => location.assign(urlIn(select.value)));  // the page again, the design kept in the hash
  }
  return problem;
}
