// Where things are, for the tests: the extension folder, the repository, the workspace version.

import * as fs from "node:fs";
import * as path from "node:path";

/** vscode-extension/ (tests run from out/test/...). */
export const extensionDir = path.resolve(__dirname, "..", "..");
export const repoDir = path.resolve(extensionDir, "..");

export function readManifest(): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(extensionDir, "package.json"), "utf8"));
}

/** `version` under `[workspace.package]` in the root Cargo.toml. */
export function workspaceVersion(): string {
  const cargo = fs.readFileSync(path.join(repoDir, "Cargo.toml"), "utf8");
  const section = /^\[workspace\.package\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(cargo);
  const version = section && /^version\s*=\s*"([^"]+)"/m.exec(section[1] ?? "");
  if (!version?.[1]) {
    throw new Error("no version in [workspace.package] of Cargo.toml");
  }
  return version[1];
}

/** The VS Code target this machine builds for, as `vsce package --target` names it. */
export function vsceTarget(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === "win32" ? "win32" : platform === "darwin" ? "darwin" : "linux";
  return `${os}-${arch}`;
}

/** The packaged extension: $ECRLINT_VSIX, or what `cargo xtask vscode` writes for this machine. */
export function vsixPath(): string {
  return (
    process.env["ECRLINT_VSIX"] ??
    path.join(extensionDir, `ecrlint-${vsceTarget()}-${readManifest()["version"]}.vsix`)
  );
}

/** The universal package (no native server): $ECRLINT_VSIX_UNIVERSAL, or what `cargo xtask vscode`
 * writes. */
export function universalVsixPath(): string {
  return process.env["ECRLINT_VSIX_UNIVERSAL"] ?? path.join(extensionDir, `ecrlint-${readManifest()["version"]}.vsix`);
}
