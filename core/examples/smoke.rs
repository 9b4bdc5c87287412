fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let settings = ecrlint_core::Settings {
        account_id: std::env::args().nth(2),
        ..Default::default()
    };
    let checked = ecrlint_core::check(&text, Some(&path), &settings);
    println!("{:?} {:?}", checked.kind, checked.format);
    for d in &checked.diagnostics {
        println!(
            "{} {:?} {:?} {}",
            d.code,
            d.range,
            &text[d.range.as_usize()],
            d.message
        );
        if let Some(f) = &d.fix {
            println!("   fix: {} {:?}", f.title, f.edits);
        }
    }
    let fixed = ecrlint_core::fix(&text, Some(&path), &settings, true);
    println!(
        "----- fixed ({} applied)\n{}",
        fixed.applied.len(),
        fixed.text
    );
}
