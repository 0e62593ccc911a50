// JSON over the HTTP example. Every failure becomes an ApiError carrying
// the API's error name ("TIX_ECONFLICT", ...) and message.
export class ApiError extends Error {
  constructor(status, name, message) {
    super(message || name);
    this.status = status;
    this.code = name;
  }
}

export async function call(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) {
    const err = new ApiError(r.status, data && data.error, data && data.message);
    err.data = data;
    throw err;
  }
  return data;
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body ?? {});

// A random key for idempotent requests (holds, payment references).
export function newKey(prefix) {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return prefix + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

// Polls a show's seat states (one byte a seat) with If-None-Match, so an
// unchanged map costs a 304 and no body.
export class StatePoller {
  constructor(showId, onStates, everyMs = 700) {
    this.url = `/shows/${showId}/states`;
    this.onStates = onStates;
    this.everyMs = everyMs;
    this.etag = null;
    this.timer = null;
    this.stopped = false;
  }

  async tick() {
    if (this.busy) { this.again = true; return; }
    this.busy = true;
    try {
      const headers = this.etag ? { "If-None-Match": this.etag } : {};
      const r = await fetch(this.url, { headers, cache: "no-store" });
      if (r.status === 200) {
        this.etag = r.headers.get("ETag");
        this.onStates(new Uint8Array(await r.arrayBuffer()));
      }
    } catch (e) {
      // the next tick tries again
    }
    this.busy = false;
    if (this.stopped) return;
    const wait = this.again ? 0 : this.everyMs;
    this.again = false;
    this.timer = setTimeout(() => this.tick(), wait);
  }

  start() { this.tick(); return this; }
  now() { clearTimeout(this.timer); return this.tick(); }
  stop() { this.stopped = true; clearTimeout(this.timer); }
}
