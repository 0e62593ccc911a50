// Starts what the browser tests need: a temporary store with the multiplex,
// the stadium and a venue with a hostile name (imported with the tix CLI),
// shows tomorrow (one of a movie titled with a script tag), and the HTTP
// example serving it on 127.0.0.1; stop() ends it and removes the store.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const BUILD = process.env.TIX_BUILD || path.join(REPO, "build", "debug");
export const HOSTILE_MOVIE = "<script>alert(1)</script>";
export const HOSTILE_VENUE = "<img src=x onerror=alert(2)> & \"Friends\"";

export function chromiumPath() {
  const p = process.env.CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(p)) {
    throw new Error(`chromium not found at ${p}: run 'bash scripts/deps.sh browser' (apt chromium)`);
  }
  return p;
}

// Chromium refuses its sandbox as root (CI runs as root).
export function chromiumArgs() {
  const args = ["--headless=new", "--disable-gpu", "--no-first-run", "--disable-extensions",
    "--disable-background-networking", "--disable-component-update"];
  if (process.getuid && process.getuid() === 0) args.push("--no-sandbox");
  return args;
}

function tix(store, ...args) {
  return execFileSync(path.join(BUILD, "cli", "tix"), ["-s", store, ...args],
    { encoding: "utf8", timeout: 60000 }).trim();
}

// Local (UTC+05:30, the sample venues' cities) date of tomorrow, "YYYY-MM-DD".
function tomorrow() {
  const d = new Date(Date.now() + (5.5 * 3600 + 86400) * 1000);
  return d.toISOString().slice(0, 10);
}

function hostileLayout(dir) {
  const j = JSON.parse(readFileSync(path.join(REPO, "examples", "data", "multiplex.json"), "utf8"));
  j.venue.name = HOSTILE_VENUE;
  j.place.city = "Pune";
  j.screens[0].name = "<b>Screen</b>";
  const file = path.join(dir, "hostile.json");
  writeFileSync(file, JSON.stringify(j));
  return file;
}

export function makeStore(dir) {
  const store = path.join(dir, "store");
  tix(store, "init");
  tix(store, "import", path.join(REPO, "examples", "data", "multiplex.json"));
  tix(store, "import", path.join(REPO, "examples", "data", "stadium.json"));
  tix(store, "import", hostileLayout(dir));
  const day = tomorrow();
  const hostile = tix(store, "movie", "add", "--title", HOSTILE_MOVIE, "--duration", "120");
  const cup = tix(store, "movie", "add", "--title", "Cup Final", "--duration", "210");
  const ids = {
    multiplex: tix(store, "show", "create", "--movie", hostile, "--screen", "1", "--start", `${day}T19:00`),
    stadium: tix(store, "show", "create", "--movie", cup, "--screen", "2", "--start", `${day}T19:30`),
    hostileVenue: tix(store, "show", "create", "--movie", hostile, "--screen", "3", "--start", `${day}T20:00`),
  };
  return { store, shows: ids };
}

export async function startServer({ holdTtl = 4 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "tix-browser-"));
  const { store, shows } = makeStore(dir);
  const env = { ...process.env, TIX_LIB: path.join(BUILD, "libtix.so"), PYTHONUNBUFFERED: "1" };
  const proc = spawn("/usr/bin/python3", [path.join(REPO, "examples", "python", "http_api.py"),
    "--store", store, "--port", "0", "--durability", "none", "--hold-ttl", String(holdTtl)],
  { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => { stderr += d; });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s: ${stderr}`)), 30000);
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const stop = async () => {
    if (proc.exitCode === null) {
      const done = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 10000);
      await done;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { base, shows, stop, stderr: () => stderr };
}
