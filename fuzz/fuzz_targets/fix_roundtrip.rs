//! Fix arbitrary bytes (unsafe fixes on, with and without an account id): the fixed text parses,
//! each fixed rule stops firing at its place, and fixing twice changes nothing more.
#![no_main]

use ecrlint_fuzz::invariants::{fix_ok, settings_variants};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for settings in settings_variants() {
        for hint in [Some("fuzz.yaml"), Some("fuzz.json")] {
            if let Err(violation) = fix_ok(&text, hint, &settings) {
                panic!(
                    "fix, hint {hint:?}, account id {:?}: {violation}",
                    settings.account_id
                );
            }
        }
    }
});
