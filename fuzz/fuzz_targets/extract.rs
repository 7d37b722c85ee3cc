//! Arbitrary bytes through the input checks and the extractor: no panic, spans inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = rectify_extract::ReportText::parse(data) {
        let e = rectify_extract::extract(&text);
        let len = text.as_str().len();
        for item in e.shortcomings.iter().chain(&e.commitments).chain(&e.previous_rectification) {
            assert!(item.span.0 <= item.span.1 && item.span.1 <= len);
            assert!(text.as_str().is_char_boundary(item.span.0));
        }
        for l in &e.links {
            assert!(l.shortcoming < e.shortcomings.len() && l.commitment < e.commitments.len());
        }
    }
});
