//! Limits that protect the service: depth, complexity, batching, body size.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Backend, spawn_app, spawn_app_with};

#[tokio::test]
async fn an_over_deep_query_is_refused_before_it_runs() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut query = String::from("name");
    for _ in 0..12 {
        query = format!("parent {{ {query} }}");
    }
    let response = app
        .graphql(
            &format!("{{ agencies {{ nodes {{ {query} }} }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "QUERY_TOO_DEEP"
    );
    assert!(response["data"].is_null(), "nothing ran: {response}");
}

#[tokio::test]
async fn an_over_complex_query_is_refused_before_it_runs() {
    let app = spawn_app(Backend::Sqlite).await;
    // 200 agencies × 200 persons' fields is far above the complexity limit, though shallow.
    let response = app
        .graphql(
            "{ a: agencies(first: 200) { nodes { id name shortName kind timeZone createdAt } } b: persons(first: 200) { nodes { id name title email phone } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "QUERY_TOO_COMPLEX"
    );
    assert!(response["data"].is_null());
    let ok = app
        .graphql("{ agencies(first: 20) { nodes { id name } } }", json!({}))
        .await;
    assert!(ok.get("errors").is_none(), "a modest query passes: {ok}");
}

#[tokio::test]
async fn a_batched_request_is_refused_with_a_code() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!([{ "query": "{ agencies { totalCount } }" }, { "query": "{ persons { totalCount } }" }]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "BATCH_NOT_SUPPORTED"
    );
}

#[tokio::test]
async fn a_syntax_error_gets_a_code_and_a_message() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app.graphql("{ agencies { totalCount ", json!({})).await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION"
    );
    let response = app.graphql("{ nosuchfield }", json!({})).await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION"
    );
}

#[tokio::test]
async fn mutations_are_refused_over_get() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&[(
            "query",
            "mutation { createAgency(input: { name: \"x\" }) { id } }",
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let data = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", "{ agencies { totalCount } }")])
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        data["data"]["agencies"]["totalCount"], 0,
        "queries work over GET"
    );
}

/// Resident memory of this process, in bytes (Linux).
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Sends `head`, then up to `total` body bytes in 64 KiB chunks, stopping when the server
/// stops reading; returns the status line of the answer.
async fn send_large(
    addr: std::net::SocketAddr,
    head: String,
    total: usize,
    chunked: bool,
) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        let write = if chunked {
            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
            framed.extend_from_slice(&chunk);
            framed.extend_from_slice(b"\r\n");
            tokio::time::timeout(Duration::from_secs(5), stream.write_all(&framed)).await
        } else {
            tokio::time::timeout(Duration::from_secs(5), stream.write_all(&chunk)).await
        };
        match write {
            Ok(Ok(())) => sent += chunk.len(),
            _ => break, // the server closed or stopped reading: it has answered
        }
    }
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("the server answers")
        .unwrap_or(0);
    String::from_utf8_lossy(&answer[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_100_mb_body_gets_413_without_the_memory_growing() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.limits.max_body_bytes = 1024 * 1024;
        s.limits.max_upload_bytes = 512 * 1024;
    })
    .await;
    let total = 100 * 1024 * 1024;
    let before = rss_bytes();
    let declared = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {total}\r\n\r\n"
    );
    let status = send_large(app.addr, declared, total, false).await;
    assert!(status.contains(" 413 "), "declared length: {status}");
    let undeclared = "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_owned();
    let status = send_large(app.addr, undeclared, total, true).await;
    assert!(status.contains(" 413 "), "chunked body: {status}");
    let grown = rss_bytes().saturating_sub(before);
    assert!(
        grown < 40 * 1024 * 1024,
        "resident memory grew by {grown} bytes"
    );
    let ok = app.graphql("{ agencies { totalCount } }", json!({})).await;
    assert_eq!(
        ok["data"]["agencies"]["totalCount"], 0,
        "the server still serves"
    );
}
