//! Arbitrary bytes as a Terraform module: the text before the first NUL is `main.tf`, the rest
//! its `variables.tf`. `main.tf` alone is checked and fixed under the usual invariants; checked
//! with its sibling, every range still lies in the file it names; checked together, each file
//! gets what it gets checked on its own.
#![no_main]

use ecrlint_core::{check_in_module, check_module, Source};
use ecrlint_fuzz::invariants::{check_ok, diagnostic_ok, fix_ok, range_ok, settings_variants};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (main, sibling) = text.split_once('\0').unwrap_or((&text, ""));
    for settings in settings_variants() {
        let hint = Some("main.tf");
        if let Err(violation) = check_ok(main, hint, &settings) {
            panic!("check main.tf: {violation}");
        }
        if let Err(violation) = fix_ok(main, hint, &settings) {
            panic!(
                "fix main.tf, account id {:?}: {violation}",
                settings.account_id
            );
        }
        let siblings = [Source {
            path: "variables.tf",
            text: sibling,
        }];
        let checked = check_in_module(main, hint, &siblings, &settings);
        for d in &checked.diagnostics {
            if let Err(violation) = diagnostic_ok(main, d) {
                panic!("main.tf with variables.tf: {violation}");
            }
            for related in d.related.iter().filter(|r| r.file.is_some()) {
                assert_eq!(related.file.as_deref(), Some("variables.tf"));
                if let Err(violation) = range_ok(sibling, related.range, "a related range") {
                    panic!("main.tf with variables.tf, {}: {violation}", d.code);
                }
            }
        }
        // Checked together, each file gets what it gets checked on its own.
        let both = [
            Source {
                path: "main.tf",
                text: main,
            },
            Source {
                path: "variables.tf",
                text: sibling,
            },
        ];
        let together = check_module(&both, &[], &settings);
        assert_eq!(together[0].diagnostics, checked.diagnostics, "main.tf");
        let main_only = [Source {
            path: "main.tf",
            text: main,
        }];
        let variables = check_in_module(sibling, Some("variables.tf"), &main_only, &settings);
        assert_eq!(
            together[1].diagnostics, variables.diagnostics,
            "variables.tf"
        );
    }
});
