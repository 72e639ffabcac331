// Where node-gyp finds the Node headers for native modules (better-sqlite3). node-gyp would
// download them, which fails on a machine without internet access; the headers next to this node
// binary (or npm's configured nodedir) work offline. Shared by xrm.mjs and the consumer check.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** A directory to use as `npm_config_nodedir`, or undefined to let node-gyp decide. */
export function nodeHeadersDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  try {
    const configured = execFileSync("npm", ["config", "get", "nodedir"], { encoding: "utf8" }).trim();
    if (configured && configured !== "undefined" && existsSync(configured)) return configured;
  } catch {
    // npm missing or failing: fall back to the headers next to this node binary
  }
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, "include", "node", "node.h")) ? prefix : undefined;
}
