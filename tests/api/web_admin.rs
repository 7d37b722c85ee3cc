//! 管理: the administration pages — admins only (everyone else gets the Chinese 403 page),
//! their forms refusing ids outside the caller's reach, moves that would make a cycle
//! refused over GraphQL and on the page — and an admin's story in a real browser, on both
//! stores.

use fantoccini::Locator;
use rectify::domain::AccountRole;
use serde_json::json;

use crate::{helpers::*, store_test, web_browser::sign_in_form, web_support::*, workflow::cast};

/// GET `path` in a signed-in session: (status, HTML).
async fn get(app: &TestApp, s: &HttpSession, path: &str) -> (u16, String) {
    let r = plain_client()
        .get(app.url(path))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// POSTs a form with the session's CSRF token: (status, HTML or redirect target).
async fn post(app: &TestApp, s: &HttpSession, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let mut fields = vec![("csrf", s.csrf.as_str())];
    fields.extend_from_slice(form);
    let r = plain_client()
        .post(app.url(path))
        .header("cookie", &s.cookie)
        .form(&fields)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let to = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, to.unwrap_or(r.text().await.unwrap()))
}

async fn account_id(app: &TestApp, email: &str) -> String {
    app.store
        .account_by_email(email)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

store_test!(
    admin_pages_answer_admins_only_and_refuse_ids_out_of_reach,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let admin_email = password_account(&app, AccountRole::Admin, &c.city, None).await;
        let admin = sign_in(&app, &admin_email).await;
        let coord_email = password_account(&app, AccountRole::Coordinator, &c.dept, None).await;
        let coord_id = account_id(&app, &coord_email).await;
        let post_id = app
            .ok(
                "mutation($a: ID!) { createPost(agencyId: $a, title: \"分管副市长\") { id } }",
                json!({ "a": c.other_city }),
            )
            .await["createPost"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let pages = [
            "/admin".to_owned(),
            format!("/admin/agencies/{}", c.dept),
            "/admin/accounts".to_owned(),
            format!("/admin/accounts/{coord_id}"),
            "/admin/supervisions".to_owned(),
            "/admin/workflow".to_owned(),
        ];
        for path in &pages {
            let (status, html) = get(&app, &admin, path).await;
            assert_eq!(status, 200, "{path} for the admin");
            assert!(
                html.contains("<a href=\"/admin\" aria-current=\"page\">管理</a>"),
                "{path}"
            );
        }

        let sup = sign_in(
            &app,
            &password_account(&app, AccountRole::Supervisor, &c.city, None).await,
        )
        .await;
        let other_sup = sign_in(
            &app,
            &password_account(&app, AccountRole::Supervisor, &c.other_city, None).await,
        )
        .await;
        let coord = sign_in(&app, &coord_email).await;
        let leader = sign_in(
            &app,
            &password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await,
        )
        .await;
        for (who, s) in [
            ("supervisor", &sup),
            ("coordinator", &coord),
            ("leader", &leader),
        ] {
            for path in &pages {
                let (status, html) = get(&app, s, path).await;
                assert_eq!(status, 403, "{path} for a {who}");
                assert!(
                    html.contains("<h1>无权访问</h1>"),
                    "{path} for a {who}: {html}"
                );
                assert!(html.contains("您无权查看或办理该内容"), "{path}");
                assert!(
                    !html.contains("href=\"/admin\""),
                    "no 管理 link for a {who}"
                );
            }
        }

        // The forms: ids outside the caller's reach are refused and nothing changes.
        let dept = format!("/admin/agencies/{}", c.dept);
        let (status, _) = post(
            &app,
            &other_sup,
            &format!("{dept}/rename"),
            &[("name", "改名")],
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = post(
            &app,
            &sup,
            &format!("{dept}/move"),
            &[("parent", &c.other_city)],
        )
        .await;
        assert_eq!(status, 403, "not into another jurisdiction");
        let (status, _) = post(&app, &sup, &format!("{dept}/move"), &[("parent", "")]).await;
        assert_eq!(status, 403, "only admins make a top-level agency");
        let (status, _) = post(
            &app,
            &coord,
            &format!("/admin/posts/{post_id}/appoint"),
            &[("person", &c.leader)],
        )
        .await;
        assert_eq!(status, 403, "a post of another city");
        let (status, _) = post(
            &app,
            &coord,
            &format!("/admin/agencies/{}/persons", c.other_city),
            &[("name", "外人")],
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = post(
            &app,
            &other_sup,
            &format!("/admin/accounts/{coord_id}/disable"),
            &[],
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = post(
            &app,
            &coord,
            "/admin/supervisions",
            &[("office", &c.dept), ("agency", &c.city)],
        )
        .await;
        assert_eq!(status, 403, "mandates are the admins'");
        let admin_session = app
            .store
            .open_sessions_of(
                admin_email_id(&app, &admin_email).await,
                chrono::Utc::now(),
                5,
            )
            .await
            .unwrap()[0]
            .id;
        let (status, _) = post(
            &app,
            &sup,
            &format!("/admin/sessions/{admin_session}/revoke"),
            &[],
        )
        .await;
        assert_eq!(status, 403, "a supervisor never manages an admin");
        let agency = app
            .store
            .agency(c.dept.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(agency.name, "某市司法局");
        assert_eq!(agency.parent_id.unwrap().to_string(), c.city);
        assert!(
            app.store
                .account(coord_id.parse().unwrap())
                .await
                .unwrap()
                .unwrap()
                .disabled_at
                .is_none()
        );
        assert_eq!(
            get(&app, &admin, "/admin").await.0,
            200,
            "the admin is still signed in"
        );

        // Unknown ids, and a form without its token.
        let nobody = uuid::Uuid::now_v7();
        assert_eq!(
            get(&app, &admin, &format!("/admin/agencies/{nobody}"))
                .await
                .0,
            404
        );
        assert_eq!(
            get(&app, &admin, &format!("/admin/accounts/{nobody}"))
                .await
                .0,
            404
        );
        let forged = plain_client()
            .post(app.url("/admin/agencies"))
            .header("cookie", &admin.cookie)
            .form(&[("name", "伪造单位")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
        assert!(forged.text().await.unwrap().contains("请求被拒绝"));

        // A move that would make a cycle is refused with the reason, on the page and over
        // GraphQL; within reach, a supervisor's move goes through.
        let (status, html) = post(
            &app,
            &admin,
            &format!("/admin/agencies/{}/move", c.city),
            &[("parent", &c.dept)],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            html.contains("不能把单位移到它自己或它的下级单位之下"),
            "{html}"
        );
        let cycle = app
            .graphql_as(
                Some(&app.admin_token),
                "mutation($id: ID!, $p: ID!) { moveAgency(id: $id, parentId: $p) { id } }",
                json!({ "id": c.city, "p": c.city }),
            )
            .await;
        assert_eq!(
            cycle["errors"][0]["extensions"]["code"], "VALIDATION",
            "{cycle}"
        );
        let unit = app.create_agency("某市法律援助中心", Some(&c.city)).await;
        let (status, to) = post(
            &app,
            &sup,
            &format!("/admin/agencies/{unit}/move"),
            &[("parent", &c.dept)],
        )
        .await;
        assert_eq!(
            (status, to.as_str()),
            (303, format!("/admin/agencies/{unit}?ok=moved").as_str())
        );
        let moved = app
            .store
            .agency(unit.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(moved.parent_id.unwrap().to_string(), c.dept);

        // The webhook's secret never comes back, and the URL's key is masked.
        let (status, _) = post(
            &app,
            &admin,
            &format!("{dept}/webhook"),
            &[
                (
                    "url",
                    "https://oapi.dingtalk.com/robot/send?access_token=secret-token-1",
                ),
                ("secret", "SECsecret-signing-key"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = get(&app, &admin, &dept).await;
        assert!(
            html.contains("https://oapi.dingtalk.com/robot/send?…"),
            "masked"
        );
        assert!(html.contains("已设置加签密钥"));
        assert!(!html.contains("secret-token-1") && !html.contains("SECsecret-signing-key"));
    }
);

async fn admin_email_id(app: &TestApp, email: &str) -> uuid::Uuid {
    account_id(app, email).await.parse().unwrap()
}

/// Clicks the `<summary>` reading `label` and returns the form it opens.
async fn open(b: &Browser, label: &str) -> fantoccini::elements::Element {
    // After a swap the page may still be the one before for a moment: look again.
    let xpath = format!("//details/summary[normalize-space()='{label}']");
    let mut found = None;
    for _ in 0..100 {
        if let Ok(summary) = b.client.find(Locator::XPath(&xpath)).await {
            found = Some(summary);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let summary = found.unwrap_or_else(|| panic!("no {label} on the page"));
    summary.click().await.unwrap();
    summary
        .find(Locator::XPath("./following-sibling::form"))
        .await
        .unwrap()
}

async fn fill(b: &Browser, css: &str, text: &str) {
    let field = b.client.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn choose(b: &Browser, select: &str, value: &str) {
    b.client
        .find(Locator::Css(&format!("{select} option[value='{value}']")))
        .await
        .unwrap_or_else(|e| panic!("no option {value} in {select}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn press(b: &Browser, label: &str) {
    b.client
        .find(Locator::XPath(&format!(
            "//button[normalize-space()='{label}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("no button {label}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn cookie(b: &Browser) -> String {
    b.client
        .get_named_cookie("rectify_session")
        .await
        .expect("a session cookie")
        .value()
        .to_owned()
}

store_test!(
    an_admin_builds_the_tree_appoints_opens_an_account_disables_it_and_grants_a_mandate_in_a_browser,
    |backend| async move {
        let app = spawn_app(backend).await;
        let Some(b) = browser().await else { return };
        let c = cast(&app).await;
        let name = match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        let shot = |page: &str| format!("{name}-admin-{page}");
        let admin = password_account(&app, AccountRole::Admin, &c.city, None).await;
        b.client.goto(&app.url("/admin")).await.unwrap();
        sign_in_form(&b, &admin).await;
        b.wait_for_text("添加单位").await;

        // A new agency under the city …
        fill(&b, "#agency-name", "某市公共法律服务中心").await;
        choose(&b, "#agency-parent", &c.city).await;
        press(&b, "添加单位").await;
        b.wait_for_text("单位已创建").await;
        b.screenshots(&shot("tree")).await;
        let centre = app.store.agency_by_name("某市公共法律服务中心").await.unwrap().unwrap();
        assert_eq!(centre.parent_id.unwrap().to_string(), c.city);

        // … moved under the department.
        b.client
            .find(Locator::LinkText("某市公共法律服务中心"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("调整上级单位").await;
        open(&b, "调整上级单位").await;
        choose(&b, "#move-parent", &c.dept).await;
        press(&b, "移到该单位之下").await;
        let text = b.wait_for_text("单位已移到新的上级单位之下").await;
        assert!(text.contains("上级单位\n某市司法局"), "{text}");
        let moved = app.store.agency(centre.id).await.unwrap().unwrap();
        assert_eq!(moved.parent_id.unwrap().to_string(), c.dept);

        // Two persons, a post, and a rotation: the history shows both tenures.
        for who in ["孙主任", "周主任"] {
            let form = open(&b, "添加人员").await;
            form.find(Locator::Css("#person-name")).await.unwrap().send_keys(who).await.unwrap();
            press(&b, "添加人员").await;
            b.wait_for_text(who).await;
            b.wait_for_text("人员已添加").await;
        }
        open(&b, "添加岗位").await;
        fill(&b, "#post-title", "中心主任").await;
        press(&b, "添加岗位").await;
        b.wait_for_text("岗位已添加").await;
        let post = app.store.posts_of_agency(centre.id).await.unwrap()[0].id;
        let persons = app
            .store
            .list_persons(
                &rectify::store::persons::PersonFilter {
                    agency_ids: Some(vec![centre.id]),
                    name_contains: None,
                },
                rectify::store::page::PageRequest::new(Some(10), None),
            )
            .await
            .unwrap()
            .nodes;
        let id_of = |n: &str| persons.iter().find(|p| p.name == n).unwrap().id.to_string();
        let today = today_here();
        let earlier = (today - chrono::Duration::days(400)).to_string();
        for (who, from) in [("孙主任", earlier.as_str()), ("周主任", "")] {
            open(&b, "登记任职").await;
            choose(&b, &format!("#appoint-{post}"), &id_of(who)).await;
            if !from.is_empty() {
                // A date input's typing depends on the locale: set its value directly.
                b.client
                    .execute(
                        &format!("document.getElementById('appoint-from-{post}').value = '{from}'"),
                        vec![],
                    )
                    .await
                    .unwrap();
            }
            press(&b, "登记任职").await;
            b.wait_for_text(&format!("现任：{who}")).await;
        }
        let text = b.main_text().await;
        assert!(text.contains("现任：周主任"), "{text}");
        assert!(text.contains(&format!("周主任：{today} 起，至今")), "{text}");
        assert!(text.contains(&format!("孙主任：{earlier} 起，至 {today}")), "{text}");
        b.screenshots(&shot("agency")).await;

        // An account for 周主任, with a first-sign-in link shown once …
        let form = open(&b, "为周主任开通账户").await;
        let email = form.find(Locator::Css("input[name='email']")).await.unwrap();
        email.send_keys("zhou@test.local").await.unwrap();
        form.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
        b.wait_for_text("只显示这一次").await;
        let link = b
            .client
            .find(Locator::Css("#first-link"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        b.screenshots(&shot("accounts")).await;
        let path = link[link.find("/welcome/").expect("a /welcome/ link")..].to_owned();

        // … that works in the browser: 周主任 sets a password and is signed in.
        b.client.delete_all_cookies().await.unwrap();
        b.client.goto(&app.url(&path)).await.unwrap();
        b.wait_for_text("zhou@test.local").await;
        fill(&b, "#new", "周主任的新密码123").await;
        fill(&b, "#confirm", "周主任的新密码123").await;
        b.client
            .find(Locator::Css("main form button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("工作台").await;
        let zhou_cookie = cookie(&b).await;
        let zhou_home = plain_client()
            .get(app.url("/"))
            .header("cookie", format!("rectify_session={zhou_cookie}"))
            .send()
            .await
            .unwrap();
        assert_eq!(zhou_home.status(), 200, "周主任 is signed in");

        // The admin sees the session on the account's page and disables the account: the
        // session ends.
        b.client.delete_all_cookies().await.unwrap();
        b.client.goto(&app.url("/admin/accounts")).await.unwrap();
        sign_in_form(&b, &admin).await;
        b.wait_for_text("zhou@test.local").await;
        b.client
            .find(Locator::LinkText("zhou@test.local"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let text = b.wait_for_text("登录设备（1）").await;
        assert!(text.contains("责任领导") && text.contains("周主任"), "{text}");
        press(&b, "停用账户").await;
        let text = b.wait_for_text("账户已停用").await;
        assert!(text.contains("登录设备（0）"), "its session is over: {text}");
        b.screenshots(&shot("account")).await;
        let after = plain_client()
            .get(app.url("/"))
            .header("cookie", format!("rectify_session={zhou_cookie}"))
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), 303, "the disabled account's session has ended");
        assert!(after.headers()["location"].to_str().unwrap().starts_with("/login"));

        // A supervision mandate: the city's office over the other city.
        b.client.goto(&app.url("/admin/supervisions")).await.unwrap();
        b.wait_for_text("授予督办授权").await;
        choose(&b, "#grant-office", &c.city).await;
        choose(&b, "#grant-agency", &c.other_city).await;
        fill(&b, "#grant-note", "市委依法治市办〔2026〕1号").await;
        press(&b, "授予").await;
        let text = b.wait_for_text("督办授权已授予").await;
        assert!(text.contains("某市人民政府 督办 另一市人民政府及其下级单位"), "{text}");
        b.screenshots(&shot("supervisions")).await;
        let mandates = app
            .ok(
                "query($o: ID!) { supervisions(officeId: $o) { agency { id } inForce } }",
                json!({ "o": c.city }),
            )
            .await;
        assert!(
            mandates["supervisions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["agency"]["id"] == json!(c.other_city) && m["inForce"] == json!(true)),
            "{mandates}"
        );

        // The workflow in force, drawn.
        b.client.goto(&app.url("/admin/workflow")).await.unwrap();
        let text = b.wait_for_text("动作一览").await;
        assert!(text.contains("验收销号"), "{text}");
        let svg = b.client.find(Locator::Css("svg.flow")).await.unwrap();
        let drawn = svg.html(false).await.unwrap();
        for label in ["待交办", "已交办", "整改中", "待验收", "已销号", "已撤销", "退回"] {
            assert!(drawn.contains(label), "{label} in the drawing");
        }
        b.screenshots(&shot("workflow")).await;
        b.close().await;
    }
);
