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

const INBOX: &str = "{ unreadNotificationCount notifications { id kind text itemId readAt } }";

store_test!(
    returns_and_comments_land_in_the_inbox,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "政务公开栏目更新滞后").await;
        assign(&app, &c, &id, "2027-06-30").await;
        app.ok_as(
            &c.leader_token,
            ADD,
            json!({ "id": id, "text": "本周内整改到位" }),
        )
        .await;
        // The responsible person hears of the instruction; the leader does not hear of his own.
        let inbox = app.ok_as(&c.responsible_token, INBOX, json!({})).await;
        assert_eq!(inbox["unreadNotificationCount"], 1);
        assert_eq!(inbox["notifications"][0]["kind"], "instruction");
        assert_eq!(inbox["notifications"][0]["itemId"], id.as_str());
        assert!(
            inbox["notifications"][0]["text"]
                .as_str()
                .unwrap()
                .contains("本周内整改到位")
        );
        assert_eq!(
            app.ok_as(&c.leader_token, INBOX, json!({})).await["unreadNotificationCount"],
            0
        );

        // A return reaches both the leader and the responsible person, with the reason.
        crate::workflow::act(
            &app,
            &c.leader_token,
            &id,
            "accept",
            json!({ "measures": "更新栏目" }),
        )
        .await;
        app.ok_as(&c.leader_token, crate::workflow::NOTE, json!({ "id": id }))
            .await;
        assert_eq!(
            crate::workflow::act(&app, &c.leader_token, &id, "submit", json!({})).await,
            "OK"
        );
        assert_eq!(
            crate::workflow::act(
                &app,
                &c.supervisor,
                &id,
                "reject",
                json!({ "comment": "栏目仍有过期信息" })
            )
            .await,
            "OK"
        );
        let leader = app.ok_as(&c.leader_token, INBOX, json!({})).await;
        assert_eq!(leader["unreadNotificationCount"], 1);
        assert_eq!(leader["notifications"][0]["kind"], "reject");
        assert!(
            leader["notifications"][0]["text"]
                .as_str()
                .unwrap()
                .contains("栏目仍有过期信息")
        );
        assert_eq!(
            app.ok_as(&c.responsible_token, INBOX, json!({})).await["unreadNotificationCount"],
            2
        );

        // Marking read: the ones given, then all.
        let first = leader["notifications"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let marked = app
            .ok_as(
                &c.leader_token,
                "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }",
                json!({ "ids": [first] }),
            )
            .await;
        assert_eq!(marked["markNotificationsRead"], 1);
        assert_eq!(
            app.ok_as(&c.leader_token, INBOX, json!({})).await["unreadNotificationCount"],
            0
        );

        // In the web application: the count on every page, the inbox, mark all read.
        let email =
            password_account(&app, AccountRole::Person, &c.dept, Some(&c.responsible)).await;
        let s = sign_in(&app, &email).await;
        let get = |path: &'static str| {
            let cookie = s.cookie.clone();
            let url = app.url(path);
            async move {
                plain_client()
                    .get(url)
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let home = get("/").await;
        assert!(
            home.contains("<span class=\"count\">2"),
            "the unread count in the navigation"
        );
        let inbox = get("/inbox").await;
        assert!(
            inbox.contains("【退回】政务公开栏目更新滞后：栏目仍有过期信息")
                && inbox.contains("未读"),
            "{inbox}"
        );
        let marked = plain_client()
            .post(app.url("/inbox/read"))
            .header("cookie", &s.cookie)
            .form(&[("csrf", s.csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(marked.status(), 303);
        let home = get("/").await;
        assert!(!home.contains("class=\"count\""), "nothing unread any more");
    }
);
