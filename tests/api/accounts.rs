//! Accounts' life cycle: listing within reach, disabling, passwords changed and reset, the
//! tokens an account holds, and a subscription that ends with its token.

use serde_json::{Value, json};

use crate::{
    helpers::*,
    store_test,
    workflow::{cast, person},
};

const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token tokenId } }";

async fn account_with_password(app: &TestApp, token: &str, agency: &str, email: &str) -> String {
    let who = person(app, agency, "账户人").await;
    let created = app
        .ok_as(
            token,
            "mutation($e: String!, $a: ID!, $p: ID!) { createAccount(input: { email: $e,
               password: \"first password 1\", role: PERSON, agencyId: $a, personId: $p }) { id } }",
            json!({ "e": email, "a": agency, "p": who }),
        )
        .await;
    created["createAccount"]["id"].as_str().unwrap().to_owned()
}

async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    app.graphql_as(None, LOGIN, json!({ "e": email, "p": password }))
        .await
}

async fn token_works(app: &TestApp, token: &str) -> bool {
    app.graphql_as(Some(token), "{ me { id } }", json!({}))
        .await
        .get("errors")
        .is_none()
}

store_test!(
    offices_list_disable_and_reset_the_accounts_within_their_reach,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = account_with_password(&app, &c.supervisor, &c.dept, "worker@test.local").await;
        let session = login(&app, "worker@test.local", "first password 1").await;
        let token = session["data"]["login"]["token"]
            .as_str()
            .unwrap()
            .to_owned();

        // Listing: the city's supervisor sees its own tree's accounts, not the other city's.
        let listed = app
            .ok_as(
                &c.supervisor,
                "{ accounts(first: 200) { nodes { id email agencyId } } }",
                json!({}),
            )
            .await;
        let nodes = listed["accounts"]["nodes"].as_array().unwrap();
        assert!(nodes.iter().any(|a| a["id"] == json!(id)));
        assert!(nodes.iter().all(|a| a["agencyId"] != json!(c.other_city)));
        assert_eq!(
            app.code_as(
                Some(&c.leader_token),
                "{ accounts { nodes { id } } }",
                json!({})
            )
            .await,
            "FORBIDDEN"
        );

        // Disabling: not from the other city; from this one, the token stops at once.
        let disable = "mutation($id: ID!) { disableAccount(id: $id) { id disabledAt } }";
        assert_eq!(
            app.code_as(Some(&c.other_supervisor), disable, json!({ "id": id }))
                .await,
            "FORBIDDEN"
        );
        assert!(token_works(&app, &token).await);
        let disabled = app.ok_as(&c.supervisor, disable, json!({ "id": id })).await;
        assert!(disabled["disableAccount"]["disabledAt"].is_string());
        assert!(!token_works(&app, &token).await);
        app.ok_as(
            &c.supervisor,
            "mutation($id: ID!) { enableAccount(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
        assert!(token_works(&app, &token).await);

        // A reset password revokes every token and the new one signs in.
        let reset =
            "mutation($id: ID!, $p: String!) { resetPassword(accountId: $id, newPassword: $p) }";
        assert_eq!(
            app.code_as(
                Some(&c.supervisor),
                reset,
                json!({ "id": id, "p": "short" })
            )
            .await,
            "VALIDATION"
        );
        app.ok_as(
            &c.supervisor,
            reset,
            json!({ "id": id, "p": "second password 2" }),
        )
        .await;
        assert!(!token_works(&app, &token).await);
        assert!(login(&app, "worker@test.local", "second password 2").await["errors"].is_null());

        // A supervisor manages no admin account.
        let admin = app
            .store
            .account_by_email("admin@test.local")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            app.code_as(
                Some(&c.supervisor),
                disable,
                json!({ "id": admin.id.to_string() })
            )
            .await,
            "FORBIDDEN"
        );
    }
);

store_test!(
    a_person_changes_their_password_and_sees_their_tokens,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = account_with_password(&app, &c.supervisor, &c.dept, "self@test.local").await;
        let first = login(&app, "self@test.local", "first password 1").await;
        let here = first["data"]["login"]["token"].as_str().unwrap().to_owned();
        let second = login(&app, "self@test.local", "first password 1").await;
        let elsewhere = second["data"]["login"]["token"]
            .as_str()
            .unwrap()
            .to_owned();

        let tokens = app
            .ok_as(
                &here,
                "query($a: ID!) { accountTokens(accountId: $a) { id name revokedAt } }",
                json!({ "a": id }),
            )
            .await;
        assert_eq!(tokens["accountTokens"].as_array().unwrap().len(), 2);
        assert_eq!(
            app.code_as(
                Some(&c.leader_token),
                "query($a: ID!) { accountTokens(accountId: $a) { id } }",
                json!({ "a": id })
            )
            .await,
            "FORBIDDEN"
        );

        let change = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }";
        assert_eq!(
            app.code_as(
                Some(&here),
                change,
                json!({ "c": "wrong password!", "n": "new password 22" })
            )
            .await,
            "VALIDATION"
        );
        app.ok_as(
            &here,
            change,
            json!({ "c": "first password 1", "n": "new password 22" }),
        )
        .await;
        assert!(
            token_works(&app, &here).await,
            "the token it was changed with stays"
        );
        assert!(
            !token_works(&app, &elsewhere).await,
            "every other token is revoked"
        );
        assert!(login(&app, "self@test.local", "first password 1").await["errors"].is_array());
        assert!(login(&app, "self@test.local", "new password 22").await["errors"].is_null());
    }
);

store_test!(
    a_subscription_ends_when_its_token_is_revoked,
    |backend| async move {
        use crate::subscription::{SUBSCRIBE, connect, send};
        use futures_util::StreamExt;
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let mut socket = connect(&app, &c.supervisor).await;
        send(
            &mut socket,
            json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "a": c.dept } } }),
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        app.ok_as(&c.supervisor, "mutation { logout }", json!({}))
            .await;
        // Within a few seconds the server completes the subscription.
        let ended = tokio::time::timeout(std::time::Duration::from_secs(8), async {
            while let Some(Ok(message)) = socket.next().await {
                if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
                    let v: Value = serde_json::from_str(&text).unwrap();
                    if v["type"] == "complete" {
                        return true;
                    }
                }
            }
            true
        })
        .await;
        assert_eq!(ended, Ok(true), "the subscription ended");
    }
);
