//! `cargo xtask bench-peers`: ecrlint against cfn-lint, checkov and cfn-guard.

use crate::util::Result;

pub fn run(_args: &[&str]) -> Result {
    Err("the peer benchmark is not written yet".into())
}
