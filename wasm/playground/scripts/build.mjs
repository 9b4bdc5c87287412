// @ts-check
// Builds the static site into dist/: the TypeScript bundled by esbuild, the pages and styles, and
// the wasm from ../pkg (built first by `cargo xtask wasm`). `cargo xtask playground` runs both.

import { build } from "esbuild";
import { copyFile, mkdir, readdir, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "..", "pkg");
const dist = join(root, "dist");

try {
  await stat(join(pkg, "ecrlint_wasm_bg.wasm"));
} catch {
  console.error("wasm/pkg is not built: run `cargo xtask wasm` (or `cargo xtask playground`) first");
  process.exit(1);
}

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: "src/main.ts", rules: "src/rules-page.ts" },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "none",
  outdir: dist,
  loader: { ".yaml": "text", ".json": "text", ".tf": "text" },
  logLevel: "warning",
});
for (const name of await readdir(join(root, "static"))) {
  await copyFile(join(root, "static", name), join(dist, name));
}
await copyFile(join(pkg, "ecrlint_wasm_bg.wasm"), join(dist, "ecrlint_wasm_bg.wasm"));
for (const name of (await readdir(dist)).sort()) {
  console.log(`dist/${name} ${(await stat(join(dist, name))).size} bytes`);
}
