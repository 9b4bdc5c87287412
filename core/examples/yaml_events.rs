//! The floor for checking a YAML file: read it and run saphyr-parser's event stream over it,
//! nothing else. `cargo xtask bench-check` times `ecrlint check` against this, process for process.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: yaml_events FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let events = saphyr_parser::Parser::new_from_str(&text).count();
    println!("{events} events");
}
