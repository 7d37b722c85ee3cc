//! `itemChanged` over WebSocket (graphql-transport-ws): pushed as changes commit, and only
//! to callers who may see the agency.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use crate::{
    helpers::*,
    store_test,
    workflow::{assign, cast, new_item},
};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(app: &TestApp, token: &str) -> Socket {
    let mut request = format!("ws://{}/graphql/ws", app.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrade");
    send(&mut socket, json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })).await;
    assert_eq!(next(&mut socket).await["type"], "connection_ack");
    socket
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

pub async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

pub const SUBSCRIBE: &str =
    "subscription($a: ID!) { itemChanged(agencyId: $a) { itemId action state version } }";

store_test!(
    item_changes_are_pushed_to_those_who_may_see_them,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let mut watcher = connect(&app, &c.supervisor).await;
        send(&mut watcher, json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "a": c.dept } } })).await;

        let mut outsider = connect(&app, &c.other_supervisor).await;
        send(&mut outsider, json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "a": c.dept } } })).await;
        let refused = next(&mut outsider).await;
        // async-graphql answers a refused subscription with one result carrying the error.
        assert_eq!(refused["payload"]["data"], Value::Null, "{refused}");
        assert_eq!(
            refused["payload"]["errors"][0]["extensions"]["code"],
            "FORBIDDEN"
        );

        // Give the subscription a moment to be registered before the change commits.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let id = new_item(&app, &c.dept, "推送").await;
        let created = next(&mut watcher).await;
        assert_eq!(created["type"], "next", "{created}");
        assert_eq!(
            created["payload"]["data"]["itemChanged"]["itemId"],
            json!(id)
        );
        assert_eq!(
            created["payload"]["data"]["itemChanged"]["action"],
            "create"
        );
        assign(&app, &c, &id, "2026-12-31").await;
        let assigned = next(&mut watcher).await;
        assert_eq!(
            assigned["payload"]["data"]["itemChanged"]["state"],
            "assigned"
        );
        assert_eq!(assigned["payload"]["data"]["itemChanged"]["version"], 2);

        // A bad token is refused at connection time.
        let mut request = format!("ws://{}/graphql/ws", app.addr)
            .into_client_request()
            .unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (mut bad, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        send(
            &mut bad,
            json!({ "type": "connection_init", "payload": { "Authorization": "Bearer rfy_nope" } }),
        )
        .await;
        let closed = tokio::time::timeout(std::time::Duration::from_secs(10), bad.next())
            .await
            .unwrap();
        assert!(
            matches!(closed, Some(Ok(Message::Close(_))) | None),
            "{closed:?}"
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_instance_reaches_a_subscriber_of_another() {
    if postgres_url().is_none() {
        return;
    }
    let app = spawn_app(Backend::Postgres).await;
    let c = cast(&app).await;
    // A second instance on the same database and schema, as behind a load balancer.
    let mut settings = app.settings.clone();
    settings.bind = "127.0.0.1:0".parse().unwrap();
    let second = rectify::startup::Application::build(&settings, rectify::startup::Migrate::No)
        .await
        .expect("the second instance starts");
    let second_addr = second.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(second.run_until(async {
        let _ = stopped.await;
    }));

    let mut request = format!("ws://{second_addr}/graphql/ws")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut watcher, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    send(&mut watcher, json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {}", c.supervisor) } })).await;
    assert_eq!(next(&mut watcher).await["type"], "connection_ack");
    send(&mut watcher, json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "a": c.dept } } })).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    // The change goes through the first instance.
    let id = new_item(&app, &c.dept, "跨实例推送").await;
    let pushed = next(&mut watcher).await;
    assert_eq!(pushed["type"], "next", "{pushed}");
    assert_eq!(
        pushed["payload"]["data"]["itemChanged"]["itemId"],
        json!(id)
    );
    assert_eq!(pushed["payload"]["data"]["itemChanged"]["action"], "create");
    let _ = stop.send(());
}
