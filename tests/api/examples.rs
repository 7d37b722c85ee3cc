//! The example operations under `graphql/examples/` (the ones README points to), run in
//! order against the real router: each answers without errors. `{{name}}` in a variables
//! file is an id an earlier example produced.

use std::collections::HashMap;

use serde_json::Value;

use crate::helpers::*;

fn examples() -> Vec<(String, String, Option<String>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("graphql/examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("graphql/examples")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".graphql"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let query = std::fs::read_to_string(dir.join(&n)).unwrap();
            let vars = std::fs::read_to_string(dir.join(n.replace(".graphql", ".json"))).ok();
            (n, query, vars)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_operation_runs_against_the_real_router() {
    let app = spawn_app(Backend::Sqlite).await;
    let all = examples();
    assert!(all.len() >= 10, "one example per main use case");
    let mut ids: HashMap<&str, String> = HashMap::new();
    let mut tokens: HashMap<&str, String> = HashMap::new();
    for (name, query, vars) in all {
        let vars: Value = match vars {
            Some(text) => {
                let mut text = text;
                for (k, v) in &ids {
                    text = text.replace(&format!("{{{{{k}}}}}"), v);
                }
                assert!(
                    !text.contains("{{"),
                    "{name}: an unknown placeholder in {text}"
                );
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
            }
            None => Value::Null,
        };
        // Who runs it: the owners accept, add evidence and submit; a supervising office
        // urges; the admin does the rest.
        let token = match &name[..2] {
            "05" | "06" | "07" => tokens["leader"].clone(),
            "10" => tokens["supervisor"].clone(),
            _ => app.admin_token.clone(),
        };
        let response = app.graphql_as(Some(&token), &query, vars).await;
        assert!(
            response.get("errors").is_none(),
            "{name}: {:#}",
            response["errors"]
        );
        let data = &response["data"];
        match &name[..2] {
            "01" => {
                let r = &data["importReport"];
                ids.insert("agency", r["agency"]["id"].as_str().unwrap().to_owned());
                ids.insert(
                    "item",
                    r["shortcomings"][0]["item"]["id"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
                ids.insert(
                    "item2",
                    r["shortcomings"][1]["item"]["id"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
                tokens.insert(
                    "supervisor",
                    app.token_for(
                        rectify::domain::AccountRole::Supervisor,
                        Some(&ids["agency"]),
                        None,
                    )
                    .await,
                );
            }
            "02" => {
                let person = data["createPerson"]["id"].as_str().unwrap().to_owned();
                tokens.insert(
                    "leader",
                    app.token_for(
                        rectify::domain::AccountRole::Leader,
                        Some(&ids["agency"]),
                        Some(&person),
                    )
                    .await,
                );
                ids.insert("person", person);
            }
            "07" => assert_eq!(data["transitionItem"]["state"], "submitted"),
            "08" => {
                let history = data["item"]["history"].as_array().unwrap();
                assert!(history.len() >= 5, "{history:#?}");
            }
            _ => {}
        }
    }
}
