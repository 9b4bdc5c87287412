// The WebAssembly language server as a web worker, for VS Code for the Web (vscode.dev,
// github.dev) and the web worker extension host. The wasm module is inside this script.

import { BrowserMessageReader, BrowserMessageWriter, createConnection } from "vscode-languageserver/browser";

import { loadService } from "./wasm";
import { serve } from "./service";

declare const self: DedicatedWorkerGlobalScope;

serve(createConnection(new BrowserMessageReader(self), new BrowserMessageWriter(self)), loadService());
