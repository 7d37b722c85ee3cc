//! The plain HTTP endpoints: health, readiness, the offline IDE, request ids.

use crate::helpers::{Backend, spawn_app};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app(Backend::Sqlite).await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert!(
        ready.headers().contains_key("x-request-id"),
        "every response carries a request id"
    );
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app(Backend::Sqlite).await;
    app.store.clone().close().await.unwrap();
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
}

#[tokio::test]
async fn the_ide_is_served_with_all_its_assets_from_rectify_itself() {
    let app = spawn_app(Backend::Sqlite).await;
    // A browser opening /graphql gets the IDE; `/` is the web application.
    let page = app
        .client
        .get(app.url("/graphql"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("/graphql"), "the page talks to our endpoint");
    let mut assets = 0;
    for src in html.split(['"', '\'']).filter(|s| s.starts_with("/ide/")) {
        let asset = app.client.get(app.url(src)).send().await.unwrap();
        assert_eq!(asset.status(), 200, "{src}");
        assert!(!asset.bytes().await.unwrap().is_empty(), "{src}");
        assets += 1;
    }
    assert!(
        assets >= 2,
        "the page loads its scripts and styles from /ide/"
    );
    for cdn in ["http://", "https://", "//cdn", "unpkg", "jsdelivr"] {
        assert!(
            !html
                .split(['"', '\''])
                .any(|s| s.starts_with(cdn) && !s.contains("127.0.0.1")),
            "the page loads nothing from another host ({cdn})"
        );
    }
    let missing = app
        .client
        .get(app.url("/ide/vendor/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}
