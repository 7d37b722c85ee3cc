//! Arbitrary bytes through `ReportText::from_file` as DOCX, PDF and text: never a panic,
//! and what comes out is bounded. The first byte picks the file name the bytes arrive
//! under, so the extension tie-breaks are fuzzed too. Seed corpus (generated, not
//! committed): `cargo run --bin seed_files` in `fuzz/` writes the sample DOCX, PDF and
//! GBK files of `rectify_extract::samples` into `corpus/files/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: [Option<&str>; 4] = [None, Some("a.docx"), Some("a.pdf"), Some("a.txt")];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    match rectify_extract::ReportText::from_file(bytes, name) {
        Ok(text) => {
            assert!(text.as_str().len() <= rectify_extract::MAX_REPORT_BYTES);
            let _ = rectify_extract::extract(&text);
        }
        Err(e) => assert!(!e.code().is_empty() && !e.message_zh().is_empty()),
    }
});
