//! Prints the extraction of a report file as JSON (the shape `score-extraction` reads).

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: extract_json REPORT.txt");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2);
    });
    match rectify_extract::ReportText::parse(&bytes) {
        Ok(text) => {
            let extraction = rectify_extract::extract(&text);
            println!(
                "{}",
                serde_json::to_string_pretty(&extraction.to_json()).expect("serialisable")
            );
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
