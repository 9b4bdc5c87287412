// The wasm package built by `cargo xtask wasm` (wasm/pkg), instantiated from the bytes esbuild
// puts in the bundle (no file or URL to find at run time, in Node.js or a web worker alike).

import * as ecrlint from "../../../wasm/pkg/ecrlint_wasm";
import bytes from "./wasm-bytes";

import type { LanguageService } from "./service";

export function loadService(): LanguageService {
  ecrlint.initSync({ module: bytes });
  return {
    version: ecrlint.version,
    diagnostics: ecrlint.diagnostics as LanguageService["diagnostics"],
    codeActions: ecrlint.codeActions,
    hover: ecrlint.hover,
    settingsProblems: ecrlint.settingsProblems,
  };
}
