// The wasm module's bytes, put in the bundle by esbuild's `binary` loader (see wasm-bytes.d.ts).
export { default } from "../../../wasm/pkg/ecrlint_wasm_bg.wasm";
