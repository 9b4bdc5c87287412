//! Parse and check arbitrary bytes as YAML, as JSON and with no hint: never a panic, a hang or a
//! range outside the text.
#![no_main]

use ecrlint_fuzz::invariants::{check_ok, settings_variants, HINTS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let [settings, _] = settings_variants();
    for hint in HINTS {
        if let Err(violation) = check_ok(&text, hint, &settings) {
            panic!("check, hint {hint:?}: {violation}");
        }
    }
});
