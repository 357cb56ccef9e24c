// Atoll's islands loader. Served as /pkg/loader.js and referenced only by pages that
// contain an island. Each top-level <leptos-island> hydrates when its directive says,
// read from the closest <atoll-hydrate client="…"> around it (Astro's client
// directives): "load" (default) at once, "idle" when the browser is idle, "visible"
// when it enters the viewport, "media" when the wrapper's media query matches. The
// page's islands bundle (islands-<group>.js + its _bg.wasm when one group holds all the
// page's islands, else islands.js + islands_bg.wasm) is downloaded once, when the first
// island needs it. Islands nested inside another island's server-rendered children
// are hydrated after their parent, which first registers its children callback
// (Leptos' islands protocol). The page names the bundle's files on the loader's own
// <script> tag, so that an export can fingerprint them without rewriting this file.
// When every island has hydrated, <html data-islands="hydrated"> is set. It also
// provides window.atollSearch, which loads the search engine module on first use.
const tag = document.querySelector("script[data-islands-js]");
const pkg = new URL(".", import.meta.url);
const jsUrl = new URL(tag?.dataset.islandsJs ?? "islands.js", pkg).href;
const wasmUrl = new URL(tag?.dataset.islandsWasm ?? "islands_bg.wasm", pkg);

const searchJsUrl = new URL(tag?.dataset.searchJs ?? "search.js", pkg).href;
const searchWasmUrl = new URL(tag?.dataset.searchWasm ?? "search_bg.wasm", pkg);

// The search engine module (the static index searched in WASM), for the search island
// on a host without the API: downloaded on the first call only.
let engine;
window.atollSearch = async (query, limit) => {
  engine ??= (async () => {
    const mod = await import(searchJsUrl);
    await mod.default({ module_or_path: searchWasmUrl });
    return mod;
  })();
  return (await engine).search(query, limit);
};

let bundle;
// The bundle, instantiated once (the first island to wake up starts the download).
function load() {
  bundle ??= (async () => {
    const mod = await import(jsUrl);
    await mod.default({ module_or_path: wasmUrl });
    mod.hydrate();
    document.documentElement.dataset.islandsBundle = "loaded";
    return mod;
  })();
  return bundle;
}

async function hydrateTree(node, mod, childrenCallbacks) {
  if (node.nodeType !== Node.ELEMENT_NODE) return;
  const name = node.tagName.toLowerCase();
  if (name === "leptos-island") {
    const component = node.dataset.component;
    const hydrate = component && mod[component];
    if (typeof hydrate === "function") {
      const parentChildren = childrenCallbacks[childrenCallbacks.length - 1];
      if (parentChildren) parentChildren();
      await hydrate(node);
    } else {
      console.warn(`atoll: no WebAssembly export for island ${component}`);
    }
  } else if (name === "leptos-children") {
    childrenCallbacks.push(node.$$on_hydrate);
    for (const child of node.children) await hydrateTree(child, mod, childrenCallbacks);
    childrenCallbacks.pop();
    return;
  }
  for (const child of node.children) await hydrateTree(child, mod, childrenCallbacks);
}

// Calls `wake` once, when `island`'s directive allows.
function schedule(island, wake) {
  const wrapper = island.closest("atoll-hydrate");
  const directive = wrapper?.getAttribute("client") ?? "load";
  if (directive === "idle") {
    if ("requestIdleCallback" in window) requestIdleCallback(wake, { timeout: 2000 });
    else setTimeout(wake, 200);
  } else if (directive === "visible") {
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        observer.disconnect();
        wake();
      }
    });
    // Wrappers and islands may be `display: contents` (no box of their own): observe
    // what the island renders, too.
    for (const element of [island, ...island.children]) observer.observe(element);
  } else if (directive === "media") {
    const query = matchMedia(wrapper.getAttribute("media") ?? "all");
    if (query.matches) wake();
    else query.addEventListener("change", function listener(event) {
      if (!event.matches) return;
      query.removeEventListener("change", listener);
      wake();
    });
  } else {
    wake();
  }
}

// Top-level islands only: nested ones hydrate with their parent.
const islands = [...document.querySelectorAll("leptos-island")].filter(
  (island) => !island.parentElement?.closest("leptos-island"),
);
let pending = islands.length;
for (const island of islands) {
  schedule(island, async () => {
    const mod = await load();
    await hydrateTree(island, mod, []);
    island.dataset.hydrated = "true";
    if (--pending === 0) document.documentElement.dataset.islands = "hydrated";
  });
}
