//! The web application over plain HTTP: headers, cookies, redirects, CSRF, sessions.

use rectify::domain::AccountRole;
use serde_json::json;

use crate::{
    helpers::*,
    store_test,
    web_support::*,
    workflow::{assign, cast, new_item},
};

store_test!(pages_ask_to_sign_in_and_come_back, |backend| async move {
    let app = spawn_app(backend).await;
    let client = plain_client();
    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()["location"], "/login");
    let id = uuid::Uuid::now_v7();
    let item = client
        .get(app.url(&format!("/items/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(item.status(), 303);
    assert_eq!(
        item.headers()["location"].to_str().unwrap(),
        format!("/login?next=/items/{id}")
    );
    // After signing in, the form sends the visitor where they were going, and only here.
    let c = cast(&app).await;
    let email = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
    for (next, expected) in [
        (format!("/items/{id}"), format!("/items/{id}")),
        ("https://evil.example/".to_owned(), "/".to_owned()),
        ("//evil.example/".to_owned(), "/".to_owned()),
    ] {
        let form = client.get(app.url("/login")).send().await.unwrap();
        let pre = set_cookie(&form, "rectify_csrf")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let token = hidden(&form.text().await.unwrap(), "csrf");
        let signed = client
            .post(app.url("/login"))
            .header("cookie", pre)
            .form(&[
                ("email", email.as_str()),
                ("password", PASSWORD),
                ("csrf", &token),
                ("next", &next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed.status(), 303);
        assert_eq!(
            signed.headers()["location"].to_str().unwrap(),
            expected,
            "next={next}"
        );
    }
});

store_test!(
    the_session_cookie_and_security_headers,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let email = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
        let client = plain_client();
        let form = client.get(app.url("/login")).send().await.unwrap();
        for (name, value) in [
            ("content-security-policy", "frame-ancestors 'none'"),
            ("content-security-policy", "script-src 'self'"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "same-origin"),
            ("x-content-type-options", "nosniff"),
            ("vary", "HX-Request"),
        ] {
            let got = form
                .headers()
                .get_all(name)
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect::<Vec<_>>()
                .join(", ");
            assert!(got.contains(value), "{name}: {got:?} lacks {value}");
        }
        let pre = set_cookie(&form, "rectify_csrf")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let html = form.text().await.unwrap();
        assert!(!html.contains("<script>"), "no inline script");
        let token = hidden(&html, "csrf");
        // A wrong password: the same Chinese sentence whatever was wrong, and no session.
        let wrong = client
            .post(app.url("/login"))
            .header("cookie", &pre)
            .form(&[
                ("email", email.as_str()),
                ("password", "not the password"),
                ("csrf", &token),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        assert!(set_cookie(&wrong, "rectify_session").is_none());
        assert!(wrong.text().await.unwrap().contains("邮箱或密码不正确"));
        // Without the form's CSRF cookie, signing in is refused.
        let forged = client
            .post(app.url("/login"))
            .form(&[
                ("email", email.as_str()),
                ("password", PASSWORD),
                ("csrf", &token),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
        let signed = client
            .post(app.url("/login"))
            .header("cookie", &pre)
            .form(&[
                ("email", email.as_str()),
                ("password", PASSWORD),
                ("csrf", &token),
            ])
            .send()
            .await
            .unwrap();
        let cookie = set_cookie(&signed, "rectify_session").expect("a session cookie");
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
        assert!(
            !cookie.contains("Secure"),
            "plain http: no Secure ({cookie})"
        );
        // The digest is stored, never the cookie's value.
        let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
        assert!(value.starts_with("rfs_"));
        let stored = app
            .store
            .session_by_hash(&rectify::service::auth::token_digest(value))
            .await
            .unwrap();
        assert!(stored.is_some());
    }
);

store_test!(the_cookie_is_secure_behind_https, |backend| async move {
    let app = spawn_app_with(backend, |s| {
        s.public_url = "https://zg.example.gov.cn".into()
    })
    .await;
    let c = cast(&app).await;
    let email = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
    let client = plain_client();
    let form = client.get(app.url("/login")).send().await.unwrap();
    let pre = set_cookie(&form, "rectify_csrf").unwrap().to_owned();
    assert!(pre.contains("Secure"));
    let token = hidden(&form.text().await.unwrap(), "csrf");
    let signed = client
        .post(app.url("/login"))
        .header("cookie", pre.split(';').next().unwrap())
        .form(&[
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        set_cookie(&signed, "rectify_session")
            .unwrap()
            .contains("; Secure")
    );
});

store_test!(
    a_post_without_its_csrf_token_is_refused,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "规范行政执法程序").await;
        assign(&app, &c, &id, "2027-06-30").await;
        let email = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
        let session = sign_in(&app, &email).await;
        let client = plain_client();
        for csrf in [None, Some("forged")] {
            let mut form = vec![
                ("action", "accept"),
                ("version", "2"),
                ("measures", "修订执法程序规定"),
            ];
            if let Some(csrf) = csrf {
                form.push(("csrf", csrf));
            }
            let refused = client
                .post(app.url(&format!("/items/{id}/act")))
                .header("cookie", &session.cookie)
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), 403);
            assert!(refused.text().await.unwrap().contains("请求被拒绝"));
        }
        let item = crate::workflow::item(&app, &id).await;
        assert_eq!(item["state"], "assigned", "nothing was done");
        // Sign-out without the token is refused too; with it, the session ends.
        let out = client
            .post(app.url("/logout"))
            .header("cookie", &session.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 403);
        let out = client
            .post(app.url("/logout"))
            .header("cookie", &session.cookie)
            .form(&[("csrf", session.csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 303);
        assert!(
            set_cookie(&out, "rectify_session")
                .unwrap()
                .contains("Max-Age=0")
        );
        let after = client
            .get(app.url("/"))
            .header("cookie", &session.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), 303, "the old cookie no longer signs in");
    }
);

store_test!(
    graphql_takes_the_session_cookie_only_with_its_token,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let email = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
        let session = sign_in(&app, &email).await;
        let client = plain_client();
        let body = json!({ "query": "{ me { email } }" });
        let bare = client
            .post(app.url("/graphql"))
            .header("cookie", &session.cookie)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(bare.status(), 403, "a cookie alone may not post to the API");
        let with_token: serde_json::Value = client
            .post(app.url("/graphql"))
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(with_token["data"]["me"]["email"], email.as_str());
    }
);

store_test!(
    sessions_end_when_idle_and_htmx_gets_fragments,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let email = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
        let session = sign_in(&app, &email).await;
        let client = plain_client();
        let fragment = client
            .get(app.url("/"))
            .header("cookie", &session.cookie)
            .header("hx-request", "true")
            .send()
            .await
            .unwrap();
        assert_eq!(fragment.status(), 200);
        let html = fragment.text().await.unwrap();
        assert!(
            html.contains("工作台") && !html.contains("<html"),
            "a fragment: {html}"
        );
        // A session unused for longer than the idle timeout is over.
        let value = session.cookie.split_once('=').unwrap().1;
        let row = app
            .store
            .session_by_hash(&rectify::service::auth::token_digest(value))
            .await
            .unwrap()
            .unwrap();
        app.store
            .touch_session(
                row.id,
                chrono::Utc::now() - rectify::service::sessions::IDLE_TIMEOUT,
            )
            .await
            .unwrap();
        let idle = client
            .get(app.url("/"))
            .header("cookie", &session.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(idle.status(), 303);
    }
);

store_test!(
    assets_are_embedded_and_cached_for_long,
    |backend| async move {
        let app = spawn_app(backend).await;
        let html = plain_client()
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let mut seen = 0;
        for src in html.split('"').filter(|s| s.starts_with("/assets/")) {
            let asset = plain_client().get(app.url(src)).send().await.unwrap();
            assert_eq!(asset.status(), 200, "{src}");
            assert!(
                asset.headers()["cache-control"]
                    .to_str()
                    .unwrap()
                    .contains("immutable")
            );
            seen += 1;
        }
        assert_eq!(seen, 3, "htmx, the script and the stylesheet");
        assert!(html.contains("/assets/htmx-2.0.4.min."));
    }
);

/// GETs `path` with the session's cookie; the status and the body.
async fn get_page(app: &TestApp, session: &HttpSession, path: &str) -> (u16, String) {
    let response = plain_client()
        .get(app.url(path))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// POSTs a form with the session's cookie and CSRF token; the status and the location or body.
async fn post_form(
    app: &TestApp,
    session: &HttpSession,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let mut form: Vec<(&str, &str)> = vec![("csrf", session.csrf.as_str())];
    form.extend_from_slice(fields);
    let response = plain_client()
        .post(app.url(path))
        .header("cookie", &session.cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    match response.headers().get("location") {
        Some(location) => (status, location.to_str().unwrap().to_owned()),
        None => (status, response.text().await.unwrap()),
    }
}

store_test!(
    progress_and_extension_requests_through_the_forms,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "行政复议纠错率偏高").await;
        assign(&app, &c, &id, "2027-06-30").await;
        let email =
            password_account(&app, AccountRole::Person, &c.dept, Some(&c.responsible)).await;
        let s = sign_in(&app, &email).await;
        let page = format!("/items/{id}");
        let act = format!("/items/{id}/act");
        let (_, html) = get_page(&app, &s, &page).await;
        let v = hidden(&html, "version");
        // Accepting without measures: refused in Chinese, nothing changes.
        let (status, html) = post_form(
            &app,
            &s,
            &act,
            &[("action", "accept"), ("version", &v), ("measures", " ")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("签收时请填写整改措施"), "{html}");
        let (status, location) = post_form(
            &app,
            &s,
            &act,
            &[
                ("action", "accept"),
                ("version", &v),
                ("measures", "建立复议案件质量评查制度"),
            ],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (303, format!("{page}?done=accept").as_str())
        );
        let (_, html) = get_page(&app, &s, &page).await;
        let v = hidden(&html, "version");
        let (status, _) = post_form(
            &app,
            &s,
            &act,
            &[
                ("action", "report_progress"),
                ("version", &v),
                ("progress", "已完成第一季度评查"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = get_page(&app, &s, &page).await;
        assert!(
            html.contains("已完成第一季度评查") && html.contains("进展："),
            "progress in the facts and the history"
        );
        let v = hidden(&html, "version");
        // An extension to an earlier date is refused with its reason.
        let (status, html) = post_form(
            &app,
            &s,
            &act,
            &[
                ("action", "request_extension"),
                ("version", &v),
                ("due_on", "2027-01-31"),
                ("reason", "需协调上级部门"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            html.contains("须晚于当前的完成时限") && html.contains("需协调上级部门"),
            "the reason typed is kept"
        );
        let (status, _) = post_form(
            &app,
            &s,
            &act,
            &[
                ("action", "request_extension"),
                ("version", &v),
                ("due_on", "2027-09-30"),
                ("reason", "需协调上级部门"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = get_page(&app, &s, "/").await;
        assert!(
            html.contains("待审批") && html.contains("申请延期至 2027-09-30"),
            "{html}"
        );
    }
);

store_test!(
    changing_the_password_ends_the_other_sessions,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let email = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
        let here = sign_in(&app, &email).await;
        let elsewhere = sign_in(&app, &email).await;
        let path = "/account/password";
        let (status, html) = post_form(
            &app,
            &here,
            path,
            &[
                ("current", "wrong password"),
                ("new", "新的密码-0123456789"),
                ("confirm", "新的密码-0123456789"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("当前密码不正确"));
        let (status, html) = post_form(
            &app,
            &here,
            path,
            &[
                ("current", PASSWORD),
                ("new", "新的密码-0123456789"),
                ("confirm", "另一个密码-0123456789"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("两次输入的新密码不一致"));
        let (status, html) = post_form(
            &app,
            &here,
            path,
            &[("current", PASSWORD), ("new", "短"), ("confirm", "短")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("至少需要 10 个字符"));
        let (status, html) = post_form(
            &app,
            &here,
            path,
            &[
                ("current", PASSWORD),
                ("new", "新的密码-0123456789"),
                ("confirm", "新的密码-0123456789"),
            ],
        )
        .await;
        assert_eq!(status, 200);
        assert!(html.contains("密码已修改"));
        assert_eq!(
            get_page(&app, &here, "/").await.0,
            200,
            "this session goes on"
        );
        assert_eq!(
            get_page(&app, &elsewhere, "/").await.0,
            303,
            "the others are over"
        );
        assert!(
            app.services
                .check_password(&email, "新的密码-0123456789", None)
                .await
                .is_ok()
        );
        assert!(
            app.services
                .check_password(&email, PASSWORD, None)
                .await
                .is_err()
        );
    }
);
