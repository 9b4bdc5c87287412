// The WebAssembly language server as a Node.js process (`--stdio` or `--node-ipc`), for desktops
// where no native `ecrlint` matches the platform. The wasm module is inside this script.

import { createConnection, ProposedFeatures } from "vscode-languageserver/node";

import { loadService } from "./wasm";
import { serve } from "./service";

serve(createConnection(ProposedFeatures.all), loadService());
