// What wasm-bytes.js gives once bundled: the bytes of wasm/pkg/ecrlint_wasm_bg.wasm.
declare const bytes: Uint8Array;
export default bytes;
