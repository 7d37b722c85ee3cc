//! How long extraction takes on a real report (the largest seed, ~20 KB), warm.

use criterion::{Criterion, criterion_group, criterion_main};

fn report() -> String {
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/seeds");
    let largest = std::fs::read_dir(&seeds)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0));
    match largest {
        Some(path) => std::fs::read_to_string(path).expect("a readable seed"),
        None => synthetic(),
    }
}

/// A ~20 KB report in the genre, for machines without the seeds.
fn synthetic() -> String {
    let mut text = String::from("某某市司法局2025年法治政府建设年度报告\n一、主要举措和成效\n");
    for i in 1..=40 {
        text.push_str(&format!("（{}）持续深化法治宣传教育，组织专题学习{i}次，覆盖干部职工1000余人次，推动普法责任制落实落细，规范行政执法行为，提升依法行政水平。\n", i));
    }
    text.push_str("二、存在的问题\n一是普法形式单一，针对性不强。二是执法队伍专业化程度不高。三是制度建设不够完善。\n三、2026年工作计划\n一是创新普法方式，增强针对性。\n二是加强执法培训，提升专业能力。\n三是健全制度体系，规范权力运行。\n某某市司法局\n2026年1月20日\n");
    text
}

fn bench(c: &mut Criterion) {
    let text = rectify_extract::ReportText::parse(report().as_bytes()).expect("a valid report");
    let _ = rectify_extract::extract(&text); // loads the segmenter's dictionary once
    c.bench_function(
        &format!("extract {} KB report", text.as_str().len() / 1024),
        |b| b.iter(|| rectify_extract::extract(std::hint::black_box(&text))),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
