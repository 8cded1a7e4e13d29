// The JSON API: one POST helper, and a queue that keeps at most one request in flight and one
// waiting (the newest), so fast typing never queues stale work. Every request carries the page's language.
import { withLang } from "./i18n.js";

export async function post(path, body) {
  const r = await fetch(withLang(path), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const type = r.headers.get("Content-Type") || "";
  return { status: r.status, data: type.startsWith("application/json") ? await r.json() : await r.blob() };
}

// latest(path, apply, onUnreachable): returns send(job); job.body is posted to path and
// apply(job, response) called with the answer, unless a newer job of the same source has arrived.
export function latest(path, apply, onUnreachable) {
  let pending = null, running = null;
  async function pump() {
    while (pending) {
      const job = pending;
      pending = null;
      let res;
      try { res = await post(path, job.body); } catch (e) { onUnreachable(e); continue; }
      if (pending && pending.source === job.source) continue;  // a newer edit of the same kind supersedes this answer
      job.answered = performance.now();
      apply(job, res);
    }
  }
  return (job) => {
    pending = job;
    if (!running) running = pump().finally(() => { running = null; });
    return running;
  };
}
