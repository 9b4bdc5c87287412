// Reading a packaged extension (.vsix, a zip): entry names, contents and Unix modes.

import * as fs from "node:fs";
import * as path from "node:path";
import * as yauzl from "yauzl";

export interface VsixEntry {
  data: Buffer;
  /** Unix permission bits as stored in the zip (0 when the packer stored none). */
  mode: number;
}

export function readVsix(file: string): Promise<Map<string, VsixEntry>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) {
        reject(error ?? new Error(`cannot open ${file}`));
        return;
      }
      const entries = new Map<string, VsixEntry>();
      zip.on("error", reject);
      zip.on("end", () => resolve(entries));
      zip.on("entry", (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith("/")) {
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) {
            reject(streamError ?? new Error(`cannot read ${entry.fileName}`));
            return;
          }
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("error", reject);
          stream.on("end", () => {
            entries.set(entry.fileName, {
              data: Buffer.concat(chunks),
              mode: (entry.externalFileAttributes >>> 16) & 0o7777,
            });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Writes the entries under `dir` with their modes, as VS Code does when it installs a .vsix. */
export function extract(entries: Map<string, VsixEntry>, dir: string): void {
  for (const [name, entry] of entries) {
    const target = path.join(dir, ...name.split("/"));
    if (!target.startsWith(dir + path.sep)) {
      throw new Error(`entry ${name} escapes the extraction folder`);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, entry.data);
    if (entry.mode !== 0) {
      fs.chmodSync(target, entry.mode);
    }
  }
}
