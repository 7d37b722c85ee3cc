//! Imports 1,000 reports into a fresh embedded SQLite database and prints the time taken
//! (the bar: ≤ 10 s). Run with `cargo bench --bench import`.

use std::time::Instant;

use rectify::{
    service::{Actor, Services, import::ImportReport},
    store::Store,
};

/// A report in the genre, for agency `n`, with topics rotated so links and recurrence vary.
fn report(n: usize) -> String {
    let topics = [
        (
            "普法宣传形式单一，针对性和实效性不强",
            "创新普法宣传形式，开展精准普法",
        ),
        (
            "行政执法人员专业能力不足，培训覆盖面窄",
            "加强执法人员专业培训，提升执法能力",
        ),
        (
            "重大行政决策合法性审查机制不够健全",
            "健全重大行政决策合法性审查机制",
        ),
        ("规范性文件备案审查不够及时", "严格规范性文件备案审查"),
    ];
    let a = topics[n % 4];
    let b = topics[(n + 1) % 4];
    let c = topics[(n + 2) % 4];
    // Agency names carry no ASCII digits (the extractor reads those as dates and numbers).
    let name: String = n
        .to_string()
        .chars()
        .map(|d| {
            "零一二三四五六七八九"
                .chars()
                .nth(d as usize - '0' as usize)
                .unwrap_or('零')
        })
        .collect();
    let name = format!("{name}区司法局");
    format!(
        "{name}2025年法治政府建设年度报告\n\
         2025年，我局坚持以习近平法治思想为指导，扎实推进法治政府建设，现报告如下：\n\
         一、主要举措和成效\n（一）加强学习。全年组织专题学法{n}次，覆盖干部职工200余人次。\n\
         （二）规范执法。开展执法案卷评查，规范行政执法行为。\n\
         二、存在的不足\n一是{}。\n二是{}。\n三是{}。\n\
         三、2026年工作计划\n（一）{}，增强针对性。\n（二）{}，提升依法行政水平。\n（三）{}，推进法治建设。\n\
         {name}\n2026年1月20日\n",
        a.0, b.0, c.0, a.1, b.1, c.1
    )
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
        let store = Store::connect(&url, 8).await.expect("connect");
        store.migrate().await.expect("migrate");
        let services = Services::new(store, chrono_tz::Asia::Shanghai);
        let reports: Vec<String> = (0..1000).map(report).collect();
        let _ = rectify_extract::extract(
            &rectify_extract::ReportText::parse(reports[0].as_bytes()).unwrap(),
        );
        let start = Instant::now();
        let mut items = 0;
        for text in &reports {
            let o = services
                .import_report(
                    &Actor::System,
                    ImportReport {
                        text: text.clone(),
                        ..Default::default()
                    },
                )
                .await
                .expect("import");
            items += o.shortcomings.len();
        }
        let took = start.elapsed();
        println!(
            "imported 1000 reports ({items} items) on SQLite in {:.2} s ({:.2} ms per report)",
            took.as_secs_f64(),
            took.as_secs_f64() * 1000.0 / 1000.0
        );
    });
}
