// Atoll's islands loader. Served as /pkg/loader.js and referenced only by pages that
// contain an island: it instantiates the islands bundle once, then hydrates every
// <leptos-island> of the page by calling the WASM export named by its data-component.
// Islands nested inside another island's server-rendered children are hydrated after
// their parent, which first registers its children callback (Leptos' islands protocol).
// The page names the bundle's files on the loader's own <script> tag, so that an export
// can fingerprint them (islands.3f2a9c1b.js) without rewriting this file.
const tag = document.querySelector("script[data-islands-js]");
const pkg = new URL(".", import.meta.url);
const jsUrl = new URL(tag?.dataset.islandsJs ?? "islands.js", pkg).href;
const wasmUrl = new URL(tag?.dataset.islandsWasm ?? "islands_bg.wasm", pkg);

async function hydrateTree(node, mod, childrenCallbacks) {
  if (node.nodeType !== Node.ELEMENT_NODE) return;
  const tag = node.tagName.toLowerCase();
  if (tag === "leptos-island") {
    const name = node.dataset.component;
    const hydrate = name && mod[name];
    if (typeof hydrate === "function") {
      const parentChildren = childrenCallbacks[childrenCallbacks.length - 1];
      if (parentChildren) parentChildren();
      await hydrate(node);
    } else {
      console.warn(`atoll: no WebAssembly export for island ${name}`);
    }
  } else if (tag === "leptos-children") {
    childrenCallbacks.push(node.$$on_hydrate);
    for (const child of node.children) await hydrateTree(child, mod, childrenCallbacks);
    childrenCallbacks.pop();
    return;
  }
  for (const child of node.children) await hydrateTree(child, mod, childrenCallbacks);
}

const mod = await import(jsUrl);
await mod.default({ module_or_path: wasmUrl });
mod.hydrate();
await hydrateTree(document.body, mod, []);
document.documentElement.dataset.islands = "hydrated";
