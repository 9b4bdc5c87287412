//! Byte offsets to line/column and back, in UTF-8, UTF-16 and characters, against a naive count.
#![no_main]

use ecrlint_fuzz::invariants::line_index_ok;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(violation) = line_index_ok(&text, 4096) {
        panic!("line index: {violation}");
    }
});
