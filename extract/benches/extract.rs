//! How long extraction takes, warm: a real ~20 KB report, then texts of 100 KB, 1 MB and
//! 5 MB made of real reports one after another (to show the cost grows linearly). The 5 MB
//! text is above `MAX_REPORT_BYTES`, so the sizes above the bound go through
//! `extract_unbounded`, the same pipeline without `ReportText`'s size check.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

fn reports() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<String> = ["../../shared/seeds", "../../shared/corpus", "tests/data"]
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
    out.sort_by_key(|t| std::cmp::Reverse(t.len()));
    if out.is_empty() {
        out.push(synthetic());
    }
    out
}

/// A ~20 KB report in the genre, for machines without the shared reports.
fn synthetic() -> String {
    let mut text = String::from("某某市司法局2025年法治政府建设年度报告\n一、主要举措和成效\n");
    for i in 1..=40 {
        text.push_str(&format!("（{}）持续深化法治宣传教育，组织专题学习{i}次，覆盖干部职工1000余人次，推动普法责任制落实落细，规范行政执法行为，提升依法行政水平。\n", i));
    }
    text.push_str("二、存在的问题\n一是普法形式单一，针对性不强。二是执法队伍专业化程度不高。三是制度建设不够完善。\n三、2026年工作计划\n一是创新普法方式，增强针对性。\n二是加强执法培训，提升专业能力。\n三是健全制度体系，规范权力运行。\n某某市司法局\n2026年1月20日\n");
    text
}

/// Real reports one after another until `size` bytes.
fn of_size(reports: &[String], size: usize) -> String {
    let mut text = String::with_capacity(size + 64 * 1024);
    for r in reports.iter().cycle() {
        if text.len() >= size {
            break;
        }
        text.push_str(r);
        text.push('\n');
    }
    text
}

fn bench(c: &mut Criterion) {
    let reports = reports();
    // The report nearest 20 KB.
    let nearest = reports
        .iter()
        .min_by_key(|r| r.len().abs_diff(20 * 1024))
        .expect("at least one report");
    let largest = nearest.clone();
    let text = rectify_extract::ReportText::parse(largest.as_bytes()).expect("a valid report");
    let _ = rectify_extract::extract(&text); // loads the segmenter's dictionary once
    c.bench_function(
        &format!("extract {} KB report", text.as_str().len() / 1024),
        |b| b.iter(|| rectify_extract::extract(std::hint::black_box(&text))),
    );
    let mut group = c.benchmark_group("linear");
    group.sample_size(10);
    for size in [100 * 1024, 1024 * 1024, 5 * 1024 * 1024] {
        let big = of_size(&reports, size);
        group.bench_function(format!("extract {} KB", big.len() / 1024), |b| {
            b.iter(|| rectify_extract::extract_unbounded(std::hint::black_box(&big)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
