//! Writes the seed corpus of the `files` target into `corpus/files/` (generated, not
//! committed): `cargo run --bin seed_files` from `fuzz/`. Each seed starts with the byte
//! that picks the file name (see the target).
use rectify_extract::samples;

fn main() -> std::io::Result<()> {
    let dir = std::path::Path::new("corpus/files");
    std::fs::create_dir_all(dir)?;
    let lines = |n: usize| -> Vec<String> {
        (1..=n)
            .map(|i| format!("（{i}）存在的问题：执法培训不足，第{i}项。"))
            .collect()
    };
    let seeds: [(&str, u8, Vec<u8>); 6] = [
        ("numbered.docx", 1, samples::numbered_report_docx()),
        ("deep.docx", 1, samples::deep_docx(50)),
        ("text.pdf", 2, samples::text_pdf(&[lines(5), lines(3)])),
        ("scan.pdf", 2, samples::scanned_pdf()),
        ("bomb.pdf", 2, samples::bomb_pdf(64 * 1024)),
        ("gbk.txt", 3, encoding_rs_free_gbk()),
    ];
    for (name, pick, bytes) in seeds {
        let mut seed = vec![pick];
        seed.extend(bytes);
        std::fs::write(dir.join(name), seed)?;
    }
    Ok(())
}

/// "三、存在的问题" in GBK, written out so the fuzz crate needs no encoder.
fn encoding_rs_free_gbk() -> Vec<u8> {
    vec![
        0xC8, 0xFD, 0xA1, 0xA2, 0xB4, 0xE6, 0xD4, 0xDA, 0xB5, 0xC4, 0xCE, 0xCA, 0xCC, 0xE2,
    ]
}
