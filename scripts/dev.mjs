#!/usr/bin/env node
// The dev loop (`scripts/dev`): `trunk serve` in front on http://127.0.0.1:8080, serving
// the pre-rendered pages as files, the islands bundle it builds itself under /pkg/, and
// /api/* (and the SSR /status/) through its proxy to this supervisor, which forwards to
// `atoll serve --dev`.
//
//   browser ─► trunk serve :8080 ─┬─ files of target/dev/www: pkg/ (Trunk's islands build)
//                                 │   + links to target/dev/site/* (pages written by atoll)
//                                 ├─ /.well-known/trunk/ws   islands rebuilt → reload
//                                 └─ /api/, /status/ ─► this supervisor :3001
//                                        ├─ /api/_atoll/build, /api/_atoll/dev.js
//                                        └─ the rest ─► `atoll serve --dev --dev-site …`
//
// Who rebuilds what:
//   content/, public/      atoll serve --dev: reloads the content, rewrites the changed
//                          pages, tells the tabs (no Rust compiled, no Trunk build)
//   islands/, index.html   Trunk: rebuilds the WASM bundle and tells the tabs
//   app/, server/, islands/, Cargo.*
//                          this supervisor: `cargo build -p server --bin atoll`; compile
//                          errors (file, line, column, message) go to the tabs, the old
//                          server keeps running; a good build restarts it, then reload
//
// Options (defaults in brackets):
//   --port N          Trunk's port [8080]
//   --api-port N      this supervisor's port [3001]; with another, Trunk runs with a copy
//                     of Trunk.toml whose proxies point at it
//   --content DIR     [content]   --public DIR [public]   --db FILE [data/dev.db]
//   --site DIR        where atoll writes the pages [target/dev/site]
//   --dist DIR        Trunk's dist folder [target/dev/www]
//
// `node scripts/dev.mjs link-stage` is Trunk's post_build hook (Trunk.toml).
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { linkStage, parseCargoLine, syncLinks } from "./dev-lib.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BUILD_PATH = "/api/_atoll/build";
const SCRIPT_PATH = "/api/_atoll/dev.js";
/** Source folders whose changes need a new server binary. */
const SOURCES = ["app", "server", "islands"];
/** Root files whose changes need a new server binary. */
const ROOT_SOURCES = ["Cargo.toml", "Cargo.lock"];
const POLL_MS = 300;

if (process.argv[2] === "link-stage") {
  linkStage();
  process.exit(0);
}

const { values: options } = parseArgs({
  options: {
    port: { type: "string", default: "8080" },
    "api-port": { type: "string", default: "3001" },
    content: { type: "string", default: "content" },
    public: { type: "string", default: "public" },
    db: { type: "string", default: "data/dev.db" },
    site: { type: "string", default: "target/dev/site" },
    dist: { type: "string", default: "target/dev/www" },
  },
});
const abs = (p) => path.resolve(ROOT, p);
const site = abs(options.site);
const dist = abs(options.dist);
const port = Number(options.port);
const apiPort = Number(options["api-port"]);
const MARKER = ".atoll-dev-site";
/**
 * Creates `dir` if needed; refuses (exit 2) a folder that is not empty and lacks
 * `mark` (both folders get rewritten or emptied: a mistyped option must not lose files).
 */
function claim(dir, mark, what) {
  fs.mkdirSync(dir, { recursive: true });
  if (fs.existsSync(path.join(dir, mark))) return;
  if (fs.readdirSync(dir).length) {
    console.error(`atoll dev: refusing to use ${dir} as ${what}: it is not empty and has no ${mark}`);
    process.exit(2);
  }
  if (mark === MARKER) fs.writeFileSync(path.join(dir, mark), "Written by `atoll serve --dev --dev-site` (scripts/dev).\n");
}
claim(site, MARKER, "the dev site (--site)");
// Trunk empties its dist folder at each build; it leaves .trunk-lock there.
claim(dist, ".trunk-lock", "Trunk's dist folder (--dist)");
fs.mkdirSync(path.dirname(abs(options.db)), { recursive: true });

const say = (message) => console.log(`atoll dev: ${message}`);
/** Which run of this supervisor; with the server's restarts, the build stream's stamp. */
const run = Date.now().toString(36);

// ---- state -------------------------------------------------------------------------
const state = {
  /** "building" | "ok" | "failed" */
  build: "building",
  /** Compile errors of the last build: { file, line, column, message, rendered }. */
  errors: [],
  /** The running server: { process, port } once it printed its address. */
  server: null,
  /** A server started that has not printed its address yet. */
  starting: null,
  /** The cargo build under way. */
  cargo: null,
  restarts: 0,
  ready: false,
  stopping: false,
};
/** Requests waiting for a server (during a restart or the first build). */
let waiting = [];
/** Open build streams. */
const streams = new Set();

function broadcast(event, data) {
  for (const res of streams) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

// ---- the server, rebuilt and restarted -----------------------------------------------
/**
 * Runs `cargo build -p server --bin atoll` with JSON messages. Resolves with
 * `{ ok, errors, fresh }`; errors are cargo's compiler errors (primary span), or its
 * own failure (a broken Cargo.toml) as one error without a file.
 */
function cargoBuild() {
  return new Promise((resolve) => {
    const cargo = spawn(
      "cargo",
      ["build", "-p", "server", "--bin", "atoll", "--message-format=json"],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    state.cargo = cargo;
    const errors = [];
    let bin = path.join(ROOT, "target/debug/atoll");
    let fresh = true;
    let ok = false;
    let stderr = "";
    let buffer = "";
    cargo.stdout.on("data", (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        const message = parseCargoLine(line);
        if (message?.rendered) process.stderr.write(message.rendered);
        if (message?.error) errors.push(message.error);
        if (message?.artifact) {
          bin = message.artifact.path;
          if (!message.artifact.fresh) fresh = false;
        }
        if (message?.finished !== undefined) ok = message.finished;
      }
    });
    // Cargo's own progress and errors.
    cargo.stderr.on("data", (chunk) => {
      process.stderr.write(chunk);
      stderr = (stderr + chunk).slice(-8000);
    });
    let done = false;
    const finish = (code, failure) => {
      if (done) return;
      done = true;
      state.cargo = null;
      ok = ok && code === 0;
      if (!ok && !errors.length) {
        errors.push({ message: failure ?? (stderr.trim() || `cargo build exited with ${code}`) });
      }
      resolve({ ok, errors, fresh, bin });
    };
    cargo.on("error", (err) => finish(null, `cannot run cargo: ${err.message}`));
    cargo.on("close", (code) => finish(code));
  });
}

let building = false;
let again = false;
/** Builds, then restarts the server when the binary changed (or none runs). */
async function rebuild() {
  if (building) {
    again = true;
    return;
  }
  building = true;
  do {
    again = false;
    state.build = "building";
    broadcast("building", { what: "server" });
    const started = Date.now();
    const result = await cargoBuild();
    if (state.stopping) return;
    if (!result.ok) {
      state.build = "failed";
      state.errors = result.errors;
      const first = result.errors[0];
      say(
        `the server does not compile (${result.errors.length} error(s)${first?.file ? `, first: ${first.file}:${first.line}` : ""}); the last good server keeps running`,
      );
      broadcast("failure", { errors: result.errors });
      continue;
    }
    const hadErrors = state.errors.length > 0;
    state.build = "ok";
    state.errors = [];
    if (!result.fresh || !state.server) {
      say(`server built in ${((Date.now() - started) / 1000).toFixed(1)} s; restarting it`);
      const failure = await restartServer(result.bin);
      if (state.stopping) return;
      if (failure) {
        state.build = "failed";
        state.errors = [{ message: failure }];
        say("the server exited at start (see above); fix the cause and save a file to retry");
        broadcast("failure", { errors: state.errors });
        continue;
      }
      broadcast("reload", { reason: "server" });
    } else {
      broadcast("hello", helloData());
      if (hadErrors) broadcast("reload", { reason: "server" });
    }
  } while (again && !state.stopping);
  building = false;
  // No server and nothing under way until the next save: waiting requests get a 503
  // (event streams keep waiting).
  if (!state.server) answerWaiting();
}

function helloData() {
  return { stamp: `${run}.${state.restarts}`, state: state.build, errors: state.errors };
}

async function stopServer() {
  const server = state.server;
  state.server = null;
  if (!server) return;
  await terminate(server.process);
}

/**
 * Stops the server and starts `bin` (`atoll serve --dev`); resolves with null once it
 * listens, or with the reason it exited at start (its last stderr lines).
 */
async function restartServer(bin) {
  await stopServer();
  const child = spawn(
    bin,
    [
      "serve", "--dev", "--dev-site", site, "--dev-link-into", dist,
      "--addr", "127.0.0.1:0",
      "--content", abs(options.content),
      "--public", abs(options.public),
      "--islands", path.join(dist, "pkg"),
      "--db", abs(options.db),
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  state.starting = child;
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    process.stderr.write(chunk);
    stderr = (stderr + chunk).slice(-4000);
  });
  const started = await new Promise((resolve) => {
    let out = "";
    const onData = (chunk) => {
      process.stdout.write(chunk);
      out += chunk;
      const match = out.match(/http:\/\/127\.0\.0\.1:(\d+)/);
      if (match) {
        child.stdout.off("data", onData);
        child.stdout.on("data", (rest) => process.stdout.write(rest));
        resolve(Number(match[1]));
      }
    };
    child.stdout.on("data", onData);
    child.once("error", (err) => {
      stderr += `cannot run ${bin}: ${err.message}`;
      resolve(null);
    });
    child.once("exit", () => resolve(null));
  });
  state.starting = null;
  if (started === null) {
    // Strip the terminal colours of the server's log lines for the browser.
    return stderr.replace(/\x1b\[[0-9;]*m/g, "").trim() || "the server exited at start";
  }
  state.restarts += 1;
  state.server = { process: child, port: started };
  child.once("exit", (code, signal) => {
    if (state.server?.process === child) {
      state.server = null;
      if (!state.stopping) say(`the server exited (${signal ?? code}); save a file to rebuild and restart it`);
      answerWaiting();
    }
  });
  const queued = waiting;
  waiting = [];
  for (const resume of queued) resume();
  return null;
}

/** Requests waiting for a server when none will come until the next save: 503 now. */
function answerWaiting() {
  const queued = waiting;
  waiting = [];
  for (const resume of queued) resume();
}

/** SIGTERM to a child's process group; resolves when it exited (SIGKILL after 5 s). */
function terminate(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => signalGroup(child, "SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    signalGroup(child, "SIGTERM");
  });
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* gone already */
    }
  }
}

// ---- the API port: build stream, dev script, and a proxy to the server ---------------
const api = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname === BUILD_PATH) {
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
    });
    res.write(`retry: 500\nevent: hello\ndata: ${JSON.stringify(helloData())}\n\n`);
    streams.add(res);
    const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
    res.on("close", () => {
      clearInterval(keepAlive);
      streams.delete(res);
    });
    return;
  }
  if (url.pathname === SCRIPT_PATH) {
    // From the source, so that tabs get it even when no server runs.
    res.writeHead(200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-store",
    });
    res.end(fs.readFileSync(path.join(ROOT, "server/crates/serve/src/dev/dev.js")));
    return;
  }
  forward(req, res);
});

/** Forwards a request to the server, waiting for one while it is built or (re)started. */
function forward(req, res) {
  const stream = (req.headers.accept ?? "").includes("text/event-stream");
  if (!state.server) {
    const pending = building || state.starting !== null;
    // Event streams wait as long as it takes: the tab reconnects (and reloads) when a
    // server is up. Other requests wait up to 2 minutes for a build under way.
    if (!stream && !pending) return unavailable(res);
    const timer = stream ? null : setTimeout(() => drop() && unavailable(res), 120_000);
    const drop = () => {
      clearTimeout(timer);
      const before = waiting.length;
      waiting = waiting.filter((r) => r !== resume);
      return waiting.length < before;
    };
    const resume = () => {
      clearTimeout(timer);
      if (!res.writableEnded && !res.destroyed) forward(req, res);
    };
    waiting.push(resume);
    res.on("close", drop);
    return;
  }
  const upstream = http.request(
    {
      host: "127.0.0.1",
      port: state.server.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", (err) => {
    if (res.headersSent) return res.destroy();
    // The server went away (a restart): an event stream waits for the next one, since
    // a browser gives up on a stream that answers an error.
    if (stream) return setTimeout(() => forward(req, res), 200);
    res.writeHead(502, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: `the dev server did not answer: ${err.message}` }));
  });
  res.on("close", () => upstream.destroy());
  req.pipe(upstream);
}

function unavailable(res) {
  if (res.headersSent) return;
  res.writeHead(503, { "content-type": "application/json", "retry-after": "5" });
  res.end(JSON.stringify({ error: "the dev server is not running: see the terminal of scripts/dev" }));
}

// ---- watching the Rust sources --------------------------------------------------------
/** `path → mtime:size` of every file under the source folders (no target/, no dot files). */
function sourceStamps() {
  const stamps = new Map();
  const visit = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".") || entry.name === "target" || entry.name === "node_modules") continue;
      const at = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(at);
      else if (entry.isFile()) {
        const stat = fs.statSync(at, { throwIfNoEntry: false });
        if (stat) stamps.set(at, `${stat.mtimeMs}:${stat.size}`);
      }
    }
  };
  for (const dir of SOURCES) visit(path.join(ROOT, dir));
  for (const file of ROOT_SOURCES) {
    const stat = fs.statSync(path.join(ROOT, file), { throwIfNoEntry: false });
    if (stat) stamps.set(file, `${stat.mtimeMs}:${stat.size}`);
  }
  return stamps;
}

function sameStamps(a, b) {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

// ---- Trunk ------------------------------------------------------------------------------
function startTrunk() {
  const args = ["serve", "--port", String(port), "--dist", dist];
  if (apiPort !== 3001) {
    // Trunk's command line can only add a proxy (a second one at /api/ panics), so
    // the proxies point at another port through a copy of Trunk.toml, written beside
    // it (the paths in a config are relative to its folder).
    const config = path.join(ROOT, `.trunk-dev-${apiPort}.toml`);
    const text = fs.readFileSync(path.join(ROOT, "Trunk.toml"), "utf8");
    fs.writeFileSync(config, text.replaceAll("http://127.0.0.1:3001/", `http://127.0.0.1:${apiPort}/`));
    process.on("exit", () => fs.rmSync(config, { force: true }));
    args.unshift("--config", config);
  }
  const trunk = spawn("trunk", args, {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, ATOLL_DEV_SITE: site },
    detached: true,
  });
  trunk.on("error", (err) => {
    say(`cannot run trunk (${err.message}); run scripts/dev, which installs it`);
    shutdown(1);
  });
  trunk.on("exit", (code, signal) => {
    if (!state.stopping) {
      say(`trunk serve exited (${signal ?? code}); stopping`);
      shutdown(1);
    }
  });
  return trunk;
}

async function announceWhenReady() {
  for (;;) {
    if (state.stopping) return;
    if (state.server) {
      const ok = await new Promise((resolve) => {
        http
          .get({ host: "127.0.0.1", port, path: "/pkg/islands.js" }, (res) => {
            res.resume();
            resolve(res.statusCode === 200);
          })
          .on("error", () => resolve(false));
      });
      if (ok) {
        say(`ready on http://127.0.0.1:${port}/`);
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

let trunk;
let watcher = null;
async function shutdown(code) {
  if (state.stopping) return;
  state.stopping = true;
  clearInterval(watcher);
  api.close();
  for (const res of streams) res.end();
  await Promise.all([terminate(trunk), stopServer(), terminate(state.starting), terminate(state.cargo)]);
  process.exit(code);
}
process.on("SIGINT", () => shutdown(130));
process.on("SIGTERM", () => shutdown(143));
process.on("SIGHUP", () => shutdown(129));
// The children run in their own process groups: never exit without stopping them.
for (const event of ["uncaughtException", "unhandledRejection"]) {
  process.on(event, (err) => {
    console.error("atoll dev: internal error:", err);
    shutdown(1);
  });
}

api.listen(apiPort, "127.0.0.1");
await new Promise((resolve, reject) => {
  api.once("listening", resolve);
  api.once("error", reject);
});
say(`API on http://127.0.0.1:${apiPort}/ (forwarded to atoll serve --dev)`);
trunk = startTrunk();
let stamps = sourceStamps();
// Source edits and the dist's links are checked every POLL_MS.
watcher = setInterval(() => {
  if (!fs.existsSync(path.join(dist, ".stage"))) {
    try {
      syncLinks(site, dist);
    } catch {
      /* Trunk swapped the folder meanwhile: next time */
    }
  }
  const now = sourceStamps();
  if (!sameStamps(now, stamps)) {
    stamps = now;
    rebuild();
  }
}, POLL_MS);
// Until the first server writes the pages (a cold build takes minutes), `/` says so.
const home = path.join(site, "index.html");
if (!fs.existsSync(home)) {
  fs.writeFileSync(
    home,
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Building — Atoll dev</title></head>
<body><main id="atoll-dev-building"><h1>Building the server…</h1><p>This page reloads when it is ready.</p></main>
<script type="module" src="${SCRIPT_PATH}"></script></body></html>\n`,
  );
}
rebuild();
announceWhenReady();
