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
fs.mkdirSync(site, { recursive: true });
fs.mkdirSync(dist, { recursive: true });
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
        if (message?.artifact && !message.artifact.fresh) fresh = false;
        if (message?.finished !== undefined) ok = message.finished;
      }
    });
    // Cargo's own progress and errors.
    cargo.stderr.on("data", (chunk) => {
      process.stderr.write(chunk);
      stderr = (stderr + chunk).slice(-8000);
    });
    cargo.on("close", (code) => {
      state.cargo = null;
      ok = ok && code === 0;
      if (!ok && !errors.length) {
        errors.push({ message: stderr.trim() || `cargo build exited with ${code}` });
      }
      resolve({ ok, errors, fresh });
    });
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
      await restartServer();
      broadcast("reload", { reason: "server" });
    } else {
      broadcast("hello", helloData());
      if (hadErrors) broadcast("reload", { reason: "server" });
    }
  } while (again && !state.stopping);
  building = false;
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

async function restartServer() {
  await stopServer();
  const bin = path.join(ROOT, "target/debug/atoll");
  const child = spawn(
    bin,
    [
      "serve", "--dev", "--dev-site", site,
      "--addr", "127.0.0.1:0",
      "--content", abs(options.content),
      "--public", abs(options.public),
      "--islands", path.join(dist, "pkg"),
      "--db", abs(options.db),
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], detached: true },
  );
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
    child.once("exit", () => resolve(null));
  });
  if (started === null) {
    say("the server exited at start (see above); fix the cause and save a file to retry");
    return;
  }
  state.restarts += 1;
  state.server = { process: child, port: started };
  child.once("exit", (code, signal) => {
    if (state.server?.process === child) {
      state.server = null;
      if (!state.stopping) say(`the server exited (${signal ?? code}); save a file to rebuild and restart it`);
    }
  });
  syncLinks(site, dist);
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
    res.end(fs.readFileSync(path.join(ROOT, "server/src/dev/dev.js")));
    return;
  }
  forward(req, res);
});

/** Forwards a request to the server, waiting for one while it (re)starts. */
function forward(req, res) {
  if (!state.server) {
    const stream = (req.headers.accept ?? "").includes("text/event-stream");
    // Event streams wait as long as it takes (the tab reconnects and reloads when the
    // new server is up); other requests up to 2 minutes.
    const timer = stream
      ? null
      : setTimeout(() => {
          waiting = waiting.filter((r) => r !== resume);
          res.writeHead(503, { "content-type": "application/json", "retry-after": "5" });
          res.end(JSON.stringify({ error: "the dev server is not running: see the terminal of scripts/dev" }));
        }, 120_000);
    const resume = () => {
      clearTimeout(timer);
      forward(req, res);
    };
    waiting.push(resume);
    req.on("close", () => {
      if (!res.writableEnded) waiting = waiting.filter((r) => r !== resume);
    });
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
    res.writeHead(502, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: `the dev server did not answer: ${err.message}` }));
  });
  res.on("close", () => upstream.destroy());
  req.pipe(upstream);
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
async function shutdown(code) {
  if (state.stopping) return;
  state.stopping = true;
  clearInterval(watcher);
  api.close();
  for (const res of streams) res.end();
  await Promise.all([terminate(trunk), stopServer(), terminate(state.cargo)]);
  process.exit(code);
}
process.on("SIGINT", () => shutdown(130));
process.on("SIGTERM", () => shutdown(143));

api.listen(apiPort, "127.0.0.1");
await new Promise((resolve, reject) => {
  api.once("listening", resolve);
  api.once("error", reject);
});
say(`API on http://127.0.0.1:${apiPort}/ (forwarded to atoll serve --dev)`);
trunk = startTrunk();
let stamps = sourceStamps();
// Source edits and the dist's links are checked every POLL_MS.
const watcher = setInterval(() => {
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
