// Finding the `ecrlint` binary to run as the server: the `ecrlint.path` setting (only in a
// trusted workspace), then the binary bundled in the extension, then `PATH`.

import * as fs from "node:fs";
import * as path from "node:path";

export type ServerSource = "setting" | "bundled" | "path";

export interface DiscoveryInput {
  /** `ecrlint.path` as the user set it (user or remote settings; it is machine-scoped). */
  configuredPath: string | undefined;
  /** Whether the workspace is trusted; `ecrlint.path` is ignored when it is not. */
  trusted: boolean;
  /** Where the extension is installed; the bundled binary is `server/ecrlint` in it. */
  extensionPath: string;
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  /** Defaults to a check of the file system. */
  isExecutable?: (file: string) => boolean;
}

export type Discovery =
  | { kind: "found"; command: string; source: ServerSource; notes: string[] }
  /** `ecrlint.path` is set in a trusted workspace but names no executable: no fallback, so the
   * user learns the setting is wrong instead of silently running another binary. */
  | { kind: "configured-missing"; configuredPath: string; resolvedPath: string }
  | { kind: "none"; searched: string[]; notes: string[] };

export function binaryName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "ecrlint.exe" : "ecrlint";
}

export function bundledServerPath(extensionPath: string, platform: NodeJS.Platform): string {
  return path.join(extensionPath, "server", binaryName(platform));
}

export function findServer(input: DiscoveryInput): Discovery {
  const isExecutable = input.isExecutable ?? ((file) => isExecutableFile(file, input.platform));
  const notes: string[] = [];
  const configured = input.configuredPath?.trim();

  if (configured) {
    if (!input.trusted) {
      notes.push(
        `ecrlint.path (${configured}) is ignored because this workspace is not trusted`,
      );
    } else {
      const resolved = expandHome(configured, input.env, input.platform);
      if (isExecutable(resolved)) {
        return { kind: "found", command: resolved, source: "setting", notes };
      }
      return { kind: "configured-missing", configuredPath: configured, resolvedPath: resolved };
    }
  }

  const bundled = bundledServerPath(input.extensionPath, input.platform);
  if (isExecutable(bundled)) {
    return { kind: "found", command: bundled, source: "bundled", notes };
  }

  const searched = [bundled];
  for (const candidate of pathCandidates(input.env, input.platform)) {
    searched.push(candidate);
    if (isExecutable(candidate)) {
      return { kind: "found", command: candidate, source: "path", notes };
    }
  }
  return { kind: "none", searched, notes };
}

/** `ecrlint` in each `PATH` directory, in order; on Windows with each `PATHEXT` extension. */
export function pathCandidates(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
): string[] {
  const windows = platform === "win32";
  const pathLib = windows ? path.win32 : path.posix;
  const pathValue = (windows ? (env["Path"] ?? env["PATH"]) : env["PATH"]) ?? "";
  const directories = pathValue.split(windows ? ";" : ":").filter((dir) => dir !== "");
  const extensions = windows
    ? (env["PATHEXT"] ?? ".EXE;.CMD;.BAT;.COM").split(";").filter((ext) => ext !== "")
    : [""];
  const candidates: string[] = [];
  for (const directory of directories) {
    for (const extension of extensions) {
      candidates.push(pathLib.join(directory, `ecrlint${extension.toLowerCase()}`));
    }
  }
  return candidates;
}

function expandHome(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
): string {
  const home = platform === "win32" ? env["USERPROFILE"] : env["HOME"];
  if (home && (file === "~" || file.startsWith("~/") || file.startsWith("~\\"))) {
    return (platform === "win32" ? path.win32 : path.posix).join(home, file.slice(1));
  }
  return file;
}

function isExecutableFile(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (platform !== "win32") {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}
