//! Comments (批示/留言) through the API and the web application.

use rectify::domain::AccountRole;
use serde_json::json;

use crate::{
    helpers::*,
    store_test,
    web_support::*,
    workflow::{assign, cast, item, new_item, version},
};

const ADD: &str = "mutation($id: ID!, $text: String!) { addComment(itemId: $id, text: $text) { seq kind text authorPersonId } }";
const COMMENTS: &str = "query($id: ID!) { item(id: $id) { version comments { kind text authorPersonId } history { action comment } } }";

store_test!(
    leaders_instruct_persons_reply_and_the_trail_keeps_both,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "执法公示信息更新不及时").await;
        assign(&app, &c, &id, "2027-06-30").await;
        let before = version(&app, &id).await;
        let instruction = app
            .ok_as(
                &c.leader_token,
                ADD,
                json!({ "id": id, "text": "请于月底前完成公示系统升级" }),
            )
            .await;
        assert_eq!(instruction["addComment"]["kind"], "instruction");
        assert_eq!(
            instruction["addComment"]["authorPersonId"],
            c.leader.as_str()
        );
        let reply = app
            .ok_as(
                &c.responsible_token,
                ADD,
                json!({ "id": id, "text": "收到，已联系信息中心" }),
            )
            .await;
        assert_eq!(reply["addComment"]["kind"], "reply");
        assert_eq!(
            app.code_as(
                Some(&c.other_leader_token),
                ADD,
                json!({ "id": id, "text": "越权留言" })
            )
            .await,
            "FORBIDDEN",
            "someone who may not see the item may not comment on it"
        );
        assert_eq!(
            app.code_as(
                Some(&c.leader_token),
                ADD,
                json!({ "id": id, "text": "  " })
            )
            .await,
            "VALIDATION"
        );
        let data = app.ok(COMMENTS, json!({ "id": id })).await;
        let comments = data["item"]["comments"].as_array().unwrap();
        assert_eq!(comments.len(), 2);
        assert_eq!(comments[0]["text"], "请于月底前完成公示系统升级");
        assert_eq!(
            data["item"]["version"].as_i64().unwrap(),
            before,
            "a comment changes no version"
        );
        let in_trail = data["item"]["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "comment")
            .count();
        assert_eq!(in_trail, 2);
        let audit = app
            .ok(
                "query($id: ID) { auditVerify(itemId: $id) { ok } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(audit["auditVerify"]["ok"], true, "the chain holds");
        assert_eq!(item(&app, &id).await["state"], "assigned");

        // In the web application: the form, then the timeline names it 批示 with the text.
        let email = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
        let s = sign_in(&app, &email).await;
        let posted = plain_client()
            .post(app.url(&format!("/items/{id}/comment")))
            .header("cookie", &s.cookie)
            .form(&[("csrf", s.csrf.as_str()), ("comment", "务必按期完成")])
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), 303);
        let html = plain_client()
            .get(app.url(&format!("/items/{id}")))
            .header("cookie", &s.cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("务必按期完成")
                && html.contains("<div>批示</div>")
                && html.contains("<div>留言</div>"),
            "{html}"
        );
    }
);
