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
    let start = app.client.get(app.url("/ide/ide.js")).send().await.unwrap();
    assert!(
        start.text().await.unwrap().contains("/graphql"),
        "the page talks to our endpoint"
    );
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

#[tokio::test]
async fn pages_say_how_a_browser_may_use_them_and_run_no_inline_script() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = reqwest::get(app.url("/")).await.unwrap();
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let page = response.text().await.unwrap();
    assert!(
        !page.contains("<script>"),
        "every script has a src, so the policy needs no inline script"
    );
    let ide = reqwest::get(app.url("/ide/ide.js")).await.unwrap();
    assert_eq!(ide.status(), 200);
    let js = ide.text().await.unwrap();
    assert!(
        js.contains("shouldPersistHeaders: false"),
        "no token in localStorage"
    );
}

#[tokio::test]
async fn metrics_ask_for_their_token_when_one_is_configured() {
    use crate::helpers::spawn_app_with;
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.metrics_token = Some(rectify::config::Secret::new("scrape-secret"));
    })
    .await;
    let anonymous = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong = reqwest::Client::new()
        .get(app.url("/metrics"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = reqwest::Client::new()
        .get(app.url("/metrics"))
        .bearer_auth("scrape-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    assert!(right.text().await.unwrap().contains("rectify_reminders"));
}
