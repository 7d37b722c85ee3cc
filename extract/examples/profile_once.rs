//! Extracts a text of N bytes made of the shared reports once (for profilers).
fn main() {
    let size: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1 << 20);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut reports: Vec<String> = ["../../shared/seeds", "../../shared/corpus", "tests/data"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(root.join(d))
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    reports.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let mut text = String::new();
    for r in reports.iter().cycle() {
        if text.len() >= size {
            break;
        }
        text.push_str(r);
        text.push('\n');
    }
    let _ = rectify_extract::extract_unbounded("预热。");
    let t = std::time::Instant::now();
    let e = rectify_extract::extract_unbounded(&text);
    eprintln!(
        "{} bytes: {:?}, {} shortcomings, {} commitments",
        text.len(),
        t.elapsed(),
        e.shortcomings.len(),
        e.commitments.len()
    );
}
