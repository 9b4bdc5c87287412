// @ts-check
// A small static file server for dist/, bound to 127.0.0.1 only: what any static host does
// (content types, gzip when the browser accepts it), nothing more. `node scripts/serve.mjs`
// serves on PORT (default 8080); the tests start it on a free port with `startServer`.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const TYPES = /** @type {Record<string, string>} */ ({
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
});

export const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

/**
 * @typedef {{ method: string, path: string, status: number, bytes: number }} Served
 * @typedef {{ url: string, served: Served[], close: () => Promise<void> }} RunningServer
 */

/**
 * Serves `root` on 127.0.0.1:`port` (0: any free port). `served` records every request.
 * @param {{ root?: string, port?: number }} [options]
 * @returns {Promise<RunningServer>}
 */
export function startServer({ root = DIST, port = 0 } = {}) {
  /** @type {Served[]} */
  const served = [];
  /** @type {Map<string, Buffer>} */
  const gzipped = new Map();
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const relative = normalize(decodeURIComponent(url.pathname === "/" ? "/index.html" : url.pathname));
    const file = join(root, relative);
    /** @param {number} status @param {Buffer} body @param {Record<string, string>} headers */
    const send = (status, body, headers) => {
      served.push({ method: request.method ?? "", path: url.pathname + url.search, status, bytes: body.length });
      response.writeHead(status, { "Content-Length": String(body.length), "Cache-Control": "no-cache", ...headers });
      response.end(request.method === "HEAD" ? undefined : body);
    };
    if ((request.method !== "GET" && request.method !== "HEAD") || !file.startsWith(root + sep)) {
      send(405, Buffer.from("not allowed\n"), { "Content-Type": "text/plain" });
      return;
    }
    let body;
    try {
      body = await readFile(file);
    } catch {
      send(404, Buffer.from("not found\n"), { "Content-Type": "text/plain" });
      return;
    }
    const type = TYPES[extname(file)] ?? "application/octet-stream";
    const headers = { "Content-Type": type, "X-Content-Type-Options": "nosniff" };
    if (/\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""))) {
      let compressed = gzipped.get(file);
      if (compressed === undefined) {
        compressed = gzipSync(body, { level: 9 });
        gzipped.set(file, compressed);
      }
      send(200, compressed, { ...headers, "Content-Encoding": "gzip", Vary: "Accept-Encoding" });
    } else {
      send(200, body, headers);
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const actualPort = typeof address === "object" && address !== null ? address.port : port;
      resolve({
        url: `http://127.0.0.1:${actualPort}/`,
        served,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env["PORT"] ?? 8080);
  const running = await startServer({ port });
  console.log(`ecrlint playground: ${running.url} (Ctrl-C to stop)`);
}
