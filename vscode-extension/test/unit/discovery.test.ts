import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

import { bundledServerPath, findServer, pathCandidates, type DiscoveryInput } from "../../src/discovery";

/** A machine where exactly `executables` exist and can be run. */
function on(executables: string[], overrides: Partial<DiscoveryInput> = {}): DiscoveryInput {
  return {
    configuredPath: undefined,
    trusted: true,
    extensionPath: "/ext",
    platform: "linux",
    env: { PATH: "/usr/local/bin:/usr/bin", HOME: "/home/dev" },
    isExecutable: (file) => executables.includes(file),
    ...overrides,
  };
}

describe("findServer", () => {
  it("prefers ecrlint.path, then the bundled binary, then PATH", () => {
    const all = ["/opt/ecrlint", "/ext/server/ecrlint", "/usr/bin/ecrlint"];
    assert.deepEqual(findServer(on(all, { configuredPath: "/opt/ecrlint" })), {
      kind: "found",
      command: "/opt/ecrlint",
      source: "setting",
      notes: [],
    });
    assert.deepEqual(findServer(on(all)), {
      kind: "found",
      command: "/ext/server/ecrlint",
      source: "bundled",
      notes: [],
    });
    assert.deepEqual(findServer(on(["/usr/bin/ecrlint", "/usr/local/bin/other"])), {
      kind: "found",
      command: "/usr/bin/ecrlint",
      source: "path",
      notes: [],
    });
  });

  it("takes the first PATH entry that has ecrlint", () => {
    assert.deepEqual(findServer(on(["/usr/bin/ecrlint", "/usr/local/bin/ecrlint"])), {
      kind: "found",
      command: "/usr/local/bin/ecrlint",
      source: "path",
      notes: [],
    });
  });

  it("ignores ecrlint.path in an untrusted workspace, and says so", () => {
    const all = ["/opt/ecrlint", "/ext/server/ecrlint"];
    assert.deepEqual(findServer(on(all, { configuredPath: "/opt/ecrlint", trusted: false })), {
      kind: "found",
      command: "/ext/server/ecrlint",
      source: "bundled",
      notes: ["ecrlint.path (/opt/ecrlint) is ignored because this workspace is not trusted"],
    });
  });

  it("does not fall back when ecrlint.path names nothing runnable", () => {
    assert.deepEqual(findServer(on(["/ext/server/ecrlint"], { configuredPath: "/opt/missing" })), {
      kind: "configured-missing",
      configuredPath: "/opt/missing",
      resolvedPath: "/opt/missing",
    });
  });

  it("treats a blank ecrlint.path as unset", () => {
    assert.equal(findServer(on(["/ext/server/ecrlint"], { configuredPath: "  " })).kind, "found");
  });

  it("expands ~ in ecrlint.path", () => {
    assert.deepEqual(findServer(on(["/home/dev/.cargo/bin/ecrlint"], { configuredPath: "~/.cargo/bin/ecrlint" })), {
      kind: "found",
      command: "/home/dev/.cargo/bin/ecrlint",
      source: "setting",
      notes: [],
    });
  });

  it("lists every place it looked when there is no server", () => {
    assert.deepEqual(findServer(on([], { configuredPath: "/opt/ecrlint", trusted: false })), {
      kind: "none",
      searched: ["/ext/server/ecrlint", "/usr/local/bin/ecrlint", "/usr/bin/ecrlint"],
      notes: ["ecrlint.path (/opt/ecrlint) is ignored because this workspace is not trusted"],
    });
  });

  it("looks for ecrlint.exe and PATHEXT names on Windows", () => {
    assert.equal(bundledServerPath("C:\\ext", "win32"), path.join("C:\\ext", "server", "ecrlint.exe"));
    assert.deepEqual(pathCandidates({ Path: "C:\\bin;D:\\tools;", PATHEXT: ".EXE;.CMD" }, "win32"), [
      "C:\\bin\\ecrlint.exe",
      "C:\\bin\\ecrlint.cmd",
      "D:\\tools\\ecrlint.exe",
      "D:\\tools\\ecrlint.cmd",
    ]);
  });

  it("checks the file system: a file without the execute bit is not a server", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrlint-discovery-"));
    try {
      const bundled = path.join(dir, "ext", "server", "ecrlint");
      fs.mkdirSync(path.dirname(bundled), { recursive: true });
      fs.writeFileSync(bundled, "#!/bin/sh\n", { mode: 0o644 });
      const onPath = path.join(dir, "bin", "ecrlint");
      fs.mkdirSync(path.dirname(onPath));
      fs.writeFileSync(onPath, "#!/bin/sh\n", { mode: 0o755 });
      fs.mkdirSync(path.join(dir, "dir-named-ecrlint", "ecrlint"), { recursive: true });
      const input: DiscoveryInput = {
        configuredPath: undefined,
        trusted: true,
        extensionPath: path.join(dir, "ext"),
        platform: "linux",
        env: { PATH: `${path.join(dir, "dir-named-ecrlint")}:${path.join(dir, "bin")}` },
      };
      assert.deepEqual(findServer(input), { kind: "found", command: onPath, source: "path", notes: [] });
      fs.chmodSync(bundled, 0o755);
      assert.deepEqual(findServer(input), { kind: "found", command: bundled, source: "bundled", notes: [] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
