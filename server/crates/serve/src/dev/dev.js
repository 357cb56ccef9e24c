// Atoll's dev script: reloads the tab when the site changes and shows errors in place.
// Served at /api/_atoll/dev.js by `atoll serve --dev` and by `atoll dev`, never in
// production; the paths in %…% are filled in by `atoll_serve::dev::script_source`.
// It listens to three sources, each optional:
//   %EVENTS_PATH%      atoll serve --dev: content reloaded, content errors;
//   %BUILD_PATH%       atoll dev: the server rebuilt and restarted, compile errors;
//   /.well-known/trunk/ws   trunk serve: the islands bundle rebuilt, or its build failed.
// A source that is not there (404) is dropped by the browser for good.
const errors = { build: null, content: null, islands: null };
const stamps = {};
let reloading = false;

function reload() {
  if (reloading) return;
  reloading = true;
  location.reload();
}

// A stamp that moved while the tab was away (a missed reload, a restarted server)
// means the page is out of date.
function checkStamp(source, stamp) {
  if (source in stamps && stamps[source] !== stamp) reload();
  stamps[source] = stamp;
}

function element(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

// Replaces the page with the current errors (`#atoll-dev-error`), or reloads it once
// they are all fixed.
function render() {
  const shown = document.getElementById("atoll-dev-error");
  const sections = [
    ["The server does not compile", errors.build],
    ["The content cannot be loaded", errors.content],
    ["The islands bundle failed to build", errors.islands],
  ].filter(([, list]) => list && list.length);
  if (!sections.length) {
    if (shown) reload();
    return;
  }
  document.title = "Error — Atoll dev";
  const main = element("main");
  main.id = "atoll-dev-error";
  main.style.cssText = "font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#1f2933";
  for (const [title, list] of sections) {
    main.append(element("h1", title));
    for (const error of list) {
      if (error.file) {
        const where = element("h2", `${error.file}:${error.line}:${error.column}`);
        where.className = "atoll-dev-location";
        main.append(where, element("p", error.message));
      }
      const pre = element("pre", error.rendered ?? error.message);
      pre.style.cssText = "background:#fff5f5;border-left:4px solid #c53030;padding:1rem;white-space:pre-wrap";
      main.append(pre);
    }
  }
  main.append(element("p", "Fix the file and save: this page reloads by itself."));
  document.body.replaceChildren(main);
}

function badge(text) {
  let node = document.getElementById("atoll-dev-badge");
  if (!text) return node?.remove();
  if (!node) {
    node = element("div");
    node.id = "atoll-dev-badge";
    node.style.cssText =
      "position:fixed;right:1rem;bottom:1rem;z-index:2147483647;padding:.3rem .7rem;border-radius:4px;background:#1f2933;color:#fff;font:13px system-ui,sans-serif";
    document.body.append(node);
  }
  node.textContent = text;
}

const events = new EventSource("%EVENTS_PATH%");
events.addEventListener("hello", (event) => {
  const state = JSON.parse(event.data);
  checkStamp("events", state.stamp);
  errors.content = state.error ? [{ message: state.error }] : null;
  render();
  document.documentElement.dataset.atollDev = "connected";
});
events.addEventListener("reload", reload);
events.addEventListener("failure", (event) => {
  errors.content = [{ message: event.data }];
  render();
});

const build = new EventSource("%BUILD_PATH%");
build.addEventListener("hello", (event) => {
  const state = JSON.parse(event.data);
  checkStamp("build", state.stamp);
  errors.build = state.errors.length ? state.errors : null;
  badge(state.state === "building" ? "Building the server…" : null);
  render();
});
build.addEventListener("building", () => badge("Building the server…"));
build.addEventListener("failure", (event) => {
  badge(null);
  errors.build = JSON.parse(event.data).errors;
  render();
});
build.addEventListener("reload", reload);

// Trunk's reload socket. When Trunk restarts, reconnect and reload (a build ran); when
// there is no Trunk (`atoll serve --dev` alone), give up.
let trunkSeen = false;
function trunk(again) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/.well-known/trunk/ws`);
  socket.onopen = () => {
    trunkSeen = true;
    if (again) reload();
  };
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.type === "reload") reload();
    if (data.type === "buildFailure") {
      errors.islands = [{ message: data.data?.reason ?? "trunk build failed" }];
      render();
    }
  };
  socket.onclose = () => {
    if (trunkSeen) setTimeout(() => trunk(true), 1000);
  };
}
trunk(false);
