import { readFile, realpath, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

export function contentTypeOf(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/**
 * The file under `root` that a URL path names, or undefined when the path is malformed or would
 * leave `root` (`..`, encoded slashes, NUL).
 */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split("?")[0] ?? "");
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  // Any `..` segment is refused outright, even one that would stay inside the root.
  if (decoded.split("/").includes("..")) return undefined;
  const relative = normalize(decoded).replace(/^\/+/, "");
  const full = join(root, relative);
  return isInside(root, full) ? full : undefined;
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The bytes of a regular file at `path`, only when its real location (symlinks followed) is still
 * inside the real `root`: a link in the build folder must not publish a file from elsewhere.
 */
async function fileAt(root: string, path: string): Promise<Buffer | undefined> {
  try {
    const [realRoot, real] = await Promise.all([realpath(root), realpath(path)]);
    if (!isInside(realRoot, real)) return undefined;
    const s = await stat(real);
    return s.isFile() ? await readFile(real) : undefined;
  } catch {
    return undefined;
  }
}

/** A client mistake, answered as JSON `{ errorCode, message }` like every other error of ours. */
function sendError(
  res: ServerResponse,
  method: string,
  status: number,
  errorCode: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(JSON.stringify({ errorCode, message }), "utf8");
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": body.length,
    "X-Content-Type-Options": "nosniff",
  });
  res.end(method === "HEAD" ? undefined : body);
}

function cacheControlFor(relativePath: string): string {
  // Hashed build assets never change; everything else (index.html, sw.js, the manifest) is checked
  // every time, so a new build reaches the service worker at once.
  return relativePath.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
}

/**
 * Serve the built app: files as they are, and `index.html` for any other GET that asks for HTML
 * (the app's routes live in the URL hash, but a deep link must still load the shell).
 */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "GET";
  if (method !== "GET" && method !== "HEAD") {
    sendError(
      res,
      method,
      405,
      "MethodNotAllowed",
      `${method} is not allowed here: the app's files are read-only.`,
      {
        Allow: "GET, HEAD",
      },
    );
    return;
  }
  const urlPath = (req.url ?? "/").split("?")[0] ?? "/";
  const path = resolveStaticPath(root, urlPath === "/" ? "/index.html" : urlPath);
  if (!path) {
    sendError(res, method, 400, "BadPath", "The path is malformed or leaves the app's folder.");
    return;
  }
  let body = await fileAt(root, path);
  let servedPath = path;
  if (!body && (req.headers.accept ?? "").includes("text/html")) {
    servedPath = join(root, "index.html");
    body = await fileAt(root, servedPath);
  }
  if (!body) {
    sendError(res, method, 404, "NotFound", `${urlPath} is not a file of the app.`);
    return;
  }
  res.writeHead(200, {
    "Content-Type": contentTypeOf(servedPath),
    "Content-Length": body.length,
    "Cache-Control": cacheControlFor(urlPath),
    "X-Content-Type-Options": "nosniff",
  });
  res.end(method === "HEAD" ? undefined : body);
}
