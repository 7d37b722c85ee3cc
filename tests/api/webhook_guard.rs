//! Webhooks are no way into the service's own network: internal addresses only where
//! configuration names them, no redirects followed, a few KB of an answer read and none of
//! it shown back.

use std::time::{Duration, Instant};

use rectify::{
    domain::destination::DestinationPolicy,
    mail::{SendError, webhook::WebhookSender},
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Backend, spawn_app};

/// A one-route HTTP server on this machine that answers every request with `head` and
/// then `body_bytes` bytes of `x` (written in chunks while the client reads).
async fn answering(head: &'static str, body_bytes: usize) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut buf).await;
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let mut left = body_bytes;
                while left > 0 {
                    let n = left.min(chunk.len());
                    if socket.write_all(&chunk[..n]).await.is_err() {
                        return;
                    }
                    left -= n;
                }
            });
        }
    });
    addr
}

fn local() -> DestinationPolicy {
    DestinationPolicy::parse("127.0.0.1").unwrap()
}

#[tokio::test]
async fn internal_addresses_need_the_allowlist() {
    let addr = answering("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}", 0).await;
    let url = format!("http://{addr}/robot");
    let closed = WebhookSender::new(Duration::from_secs(2), DestinationPolicy::default()).unwrap();
    let refused = closed.send(&url, "{}", "<m1@test>", None).await;
    assert!(
        matches!(&refused, Err(SendError::Permanent(m)) if m.contains("RECTIFY_WEBHOOK_ALLOW")),
        "{refused:?}"
    );
    let by_name = closed
        .send(
            &format!("http://localhost:{}/robot", addr.port()),
            "{}",
            "<m2@test>",
            None,
        )
        .await;
    assert!(
        by_name.is_err(),
        "a name resolving to loopback is refused too"
    );
    let open = WebhookSender::new(Duration::from_secs(2), local()).unwrap();
    assert!(open.send(&url, "{}", "<m3@test>", None).await.is_ok());
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let addr = answering(
        "HTTP/1.1 302 Found\r\nlocation: http://169.254.169.254/latest/meta-data\r\ncontent-length: 0\r\n\r\n",
        0,
    )
    .await;
    let sender = WebhookSender::new(Duration::from_secs(2), local()).unwrap();
    let result = sender
        .send(&format!("http://{addr}/r"), "{}", "<m@test>", None)
        .await;
    assert!(
        matches!(&result, Err(SendError::Permanent(m)) if m.contains("302")),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_huge_answer_is_cut_and_none_of_it_is_kept() {
    // 1 GiB announced and streamed: only the first few KB are read.
    let addr = answering(
        "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 1073741824\r\n\r\nSECRET-INTERNAL-",
        1 << 30,
    )
    .await;
    let sender = WebhookSender::new(Duration::from_secs(5), local()).unwrap();
    let started = Instant::now();
    let result = sender
        .send(&format!("http://{addr}/big"), "{}", "<m@test>", None)
        .await;
    assert!(started.elapsed() < Duration::from_secs(3), "not read whole");
    match result {
        Err(SendError::Permanent(m)) | Err(SendError::Temporary(m)) => {
            assert!(!m.contains("SECRET"), "the answer's body is not kept: {m}");
            assert!(m.contains("500"), "{m}");
        }
        Ok(()) => panic!("a 500 is not delivered"),
    }
}

#[tokio::test]
async fn an_internal_webhook_is_refused_when_it_is_set() {
    let app = spawn_app(Backend::Sqlite).await;
    let agency = app.create_agency("某市司法局", None).await;
    for url in [
        "http://127.0.0.1:9/robot",
        "http://169.254.169.254/latest",
        "http://[::1]:8080/x",
        "http://10.0.0.8/hook",
    ] {
        let response = app
            .graphql(
                "mutation($a: ID!, $u: String) { setAgencyWebhook(agencyId: $a, url: $u) { url } }",
                json!({ "a": agency, "u": url }),
            )
            .await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"], "VALIDATION",
            "{url}: {response:#}"
        );
    }
}
