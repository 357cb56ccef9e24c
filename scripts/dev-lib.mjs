// What scripts/dev.mjs is made of that tests import: the Trunk hook, the links from
// Trunk's dist folder to the pages, and the parser of cargo's JSON messages.
import fs from "node:fs";
import path from "node:path";

/**
 * Trunk's post_build hook: in the staging folder, moves Trunk's output into pkg/ and
 * links every top-level entry of the site folder beside it. No-op outside the dev loop
 * (ATOLL_DEV_SITE unset), e.g. for scripts/build-islands.
 */
export function linkStage() {
  const site = process.env.ATOLL_DEV_SITE;
  const stage = process.env.TRUNK_STAGING_DIR;
  if (!site || !stage) return;
  const pkg = path.join(stage, "pkg");
  fs.mkdirSync(pkg, { recursive: true });
  for (const name of fs.readdirSync(stage)) {
    if (name !== "pkg") fs.renameSync(path.join(stage, name), path.join(pkg, name));
  }
  syncLinks(site, stage);
}

/**
 * Makes `dist` hold a symbolic link to each top-level entry of `site` (but `pkg`), and
 * drops links into `site` whose target is gone. Returns whether anything changed.
 */
export function syncLinks(site, dist) {
  let changed = false;
  let names;
  try {
    names = new Set(fs.readdirSync(site).filter((name) => name !== "pkg" && !name.startsWith(".")));
  } catch {
    return false;
  }
  for (const name of fs.readdirSync(dist)) {
    const at = path.join(dist, name);
    if (!fs.lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink()) continue;
    const target = fs.readlinkSync(at);
    if (path.dirname(target) === site && !names.has(name)) {
      fs.rmSync(at, { force: true });
      changed = true;
    }
    names.delete(name);
  }
  for (const name of names) {
    if (fs.lstatSync(path.join(dist, name), { throwIfNoEntry: false })) continue;
    fs.symlinkSync(path.join(site, name), path.join(dist, name));
    changed = true;
  }
  return changed;
}

/**
 * One line of `cargo --message-format=json`: a diagnostic (`{ rendered }`, plus `{ error }`
 * for an error: its primary span's file, line and column, and the message), the `atoll`
 * binary (`{ artifact: { path, fresh } }`), the end (`{ finished: success }`), or null.
 */
export function parseCargoLine(line) {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return null;
  }
  if (message.reason === "compiler-message" && message.message?.level !== "error") {
    return { rendered: message.message?.rendered ?? "" };
  }
  if (message.reason === "compiler-message") {
    const diagnostic = message.message;
    const span = diagnostic.spans?.find((s) => s.is_primary) ?? diagnostic.spans?.[0];
    return {
      rendered: diagnostic.rendered ?? "",
      error: {
        file: span?.file_name,
        line: span?.line_start,
        column: span?.column_start,
        message: diagnostic.message,
        rendered: diagnostic.rendered ?? diagnostic.message,
      },
    };
  }
  if (message.reason === "compiler-artifact" && message.target?.name === "atoll" && message.executable) {
    return { artifact: { path: message.executable, fresh: message.fresh } };
  }
  if (message.reason === "build-finished") return { finished: message.success };
  return null;
}
