//! `cargo xtask bench-peers`: ecrlint against cfn-lint, checkov and cfn-guard, on a generated
//! corpus with known answers — timed with hyperfine, peak memory from `/usr/bin/time -v`, and
//! every finding counted right or wrong.

mod corpus;
mod emit;

use crate::util::{root, Result};

pub fn run(args: &[&str]) -> Result {
    let size = if args.contains(&"--quick") {
        corpus::Size::QUICK
    } else {
        corpus::Size::FULL
    };
    let corpus = corpus::generate(size);
    corpus.write(&root().join("bench/work/corpus"))?;
    Ok(())
}
