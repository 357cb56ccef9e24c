// Atoll's islands loader. Served as /pkg/loader.js and referenced only by pages that
// contain an island: it instantiates the islands bundle once, then hydrates every
// <leptos-island> of the page by calling the WASM export named by its data-component.
// Islands nested inside another island's server-rendered children are hydrated after
// their parent, which first registers its children callback (Leptos' islands protocol).
const pkg = new URL(".", import.meta.url);

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

const mod = await import(new URL("islands.js", pkg).href);
await mod.default({ module_or_path: new URL("islands_bg.wasm", pkg) });
mod.hydrate();
await hydrateTree(document.body, mod, []);
document.documentElement.dataset.islands = "hydrated";
