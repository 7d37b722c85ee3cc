//! Extraction cues selectable in the settings (`RECTIFY_EXTRACT_CUES`): a replacement file
//! teaches the extractor a heading, used by the server's import and by `rectify extract`;
//! a bad file stops start-up with a clear error.

use serde_json::json;

use crate::{
    helpers::{spawn_app, spawn_app_with},
    store_test,
};

/// A report whose problems sit under a heading no compiled-in cue names (症结).
const REPORT: &str = "某某县市场监督管理局2024年法治政府建设年度报告\n\
一、主要举措和成效\n（一）加强学习。全年组织专题学法12次。\n\
二、工作中的症结\n（一）基层执法力量薄弱，执法装备配备滞后。\n（二）普法宣传针对性不够强。\n\
三、2025年工作计划\n（一）充实基层执法力量。\n（二）开展精准普法。\n\
某某县市场监督管理局\n2025年1月20日\n";

/// The cues file an office would write: the compiled-in lists with one word added.
fn taught_cues(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("cues.toml");
    std::fs::write(
        &path,
        "[headings]\n\
         problem_words = [\"问题\", \"不足\", \"短板\", \"差距\", \"薄弱\", \"短处\", \"困难\", \"弱项\", \"症结\"]\n\
         problem_endings = [\"问题\", \"不足\", \"短板\", \"差距\", \"原因\", \"不足之处\", \"薄弱环节\", \"困难\", \"弱项\", \"挑战\", \"症结\"]\n",
    )
    .unwrap();
    path
}

const IMPORT: &str = "mutation($t: String!) { importReport(input: { text: $t, dryRun: true }) {
    shortcomings { shortcoming { text } } commitments { text } warnings { code } } }";

store_test!(
    a_replaced_cues_file_teaches_a_new_heading,
    |backend| async move {
        let plain = spawn_app(backend).await;
        let r = plain.ok(IMPORT, json!({ "t": REPORT })).await["importReport"].clone();
        assert!(
            r["shortcomings"].as_array().unwrap().is_empty(),
            "the compiled-in cues do not know the heading: {r:#}"
        );
        assert!(
            r["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["code"] == "NO_SHORTCOMINGS_SECTION")
        );

        let dir = tempfile::tempdir().unwrap();
        let cues = taught_cues(dir.path());
        let taught = spawn_app_with(backend, |s| s.extract_cues_file = Some(cues.clone())).await;
        let r = taught.ok(IMPORT, json!({ "t": REPORT })).await["importReport"].clone();
        let texts: Vec<&str> = r["shortcomings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["shortcoming"]["text"].as_str().unwrap())
            .collect();
        assert_eq!(
            texts,
            [
                "基层执法力量薄弱，执法装备配备滞后。",
                "普法宣传针对性不够强。"
            ],
            "{r:#}"
        );

        // The command line reads the same setting.
        let report = dir.path().join("report.txt");
        std::fs::write(&report, REPORT).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rectify"))
            .args(["extract", "--format", "json", report.to_str().unwrap()])
            .env("RECTIFY_EXTRACT_CUES", &cues)
            .env("RECTIFY_DATA_DIR", dir.path())
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(printed["shortcomings"].as_array().unwrap().len(), 2);
    }
);

#[tokio::test]
async fn a_bad_cues_file_stops_start_up_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cues.toml");
    std::fs::write(&path, "[headings]\nproblem_wordz = [\"症结\"]\n").unwrap();
    let settings = rectify::config::Settings {
        database_url: format!("sqlite://{}/r.db?mode=rwc", dir.path().display()),
        data_dir: dir.path().to_path_buf(),
        bind: "127.0.0.1:0".parse().unwrap(),
        extract_cues_file: Some(path.clone()),
        ..Default::default()
    };
    let err = match rectify::startup::Application::build(&settings, rectify::startup::Migrate::Yes)
        .await
    {
        Ok(_) => panic!("a bad cues file must stop start-up"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("RECTIFY_EXTRACT_CUES") && err.contains("problem_wordz"),
        "{err}"
    );

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rectify"))
        .args(["extract", path.to_str().unwrap()])
        .env("RECTIFY_EXTRACT_CUES", &path)
        .env("RECTIFY_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("RECTIFY_EXTRACT_CUES"));
}
