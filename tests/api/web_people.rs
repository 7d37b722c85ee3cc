//! The web application for the people who do the work, second part: what lands in their
//! inbox (reminders from the sweep, beside returns, urges and comments), the first-sign-in
//! link, the profile page, and the items list's sort and pages — over real HTTP, with a
//! real SMTP sink for the sweep's emails.

use rectify::domain::AccountRole;
use serde_json::json;

use crate::{
    helpers::*,
    reminders::{smtp_to, today},
    smtp_sink::SmtpSink,
    store_test,
    web_support::*,
    workflow::{ASSIGN, cast, new_item, version},
};

/// A person of `agency` without an email address.
async fn person_without_email(app: &TestApp, agency: &str, name: &str) -> String {
    let data = app
        .ok(
            "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }",
            json!({ "input": { "agencyId": agency, "name": name, "title": "科员" } }),
        )
        .await;
    data["createPerson"]["id"].as_str().unwrap().to_owned()
}

/// GET `path` in a signed-in session; the page's HTML.
async fn page(app: &TestApp, session: &HttpSession, path: &str) -> String {
    let response = plain_client()
        .get(app.url(path))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

store_test!(
    a_reminder_sweep_leaves_a_message_in_the_inbox_of_everyone_it_addresses,
    |backend| async move {
        let sink = SmtpSink::start().await;
        let app = spawn_app_with(backend, smtp_to(sink.addr)).await;
        let c = cast(&app).await;
        // The responsible person has no email: the inbox is the only way the sweep reaches
        // him.
        let clerk = person_without_email(&app, &c.dept, "赵科员").await;
        let id = new_item(&app, &c.dept, "重大行政决策合法性审查不到位").await;
        let due = today() + chrono::Duration::days(7);
        let v = version(&app, &id).await;
        app.ok_as(
            &c.coordinator,
            ASSIGN,
            json!({ "id": id, "v": v, "input": { "leadPersonId": c.leader,
                    "responsiblePersonId": clerk, "dueOn": due.to_string(),
                    "category": "TIME_BOUND" } }),
        )
        .await;

        let (swept, sent) = app.reminders.run_once().await.unwrap();
        assert_eq!(
            (swept.enqueued, sent.sent),
            (1, 1),
            "one email, to the leader"
        );
        assert_eq!(sink.messages().len(), 1);

        let leader = sign_in(
            &app,
            &password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await,
        )
        .await;
        let home = page(&app, &leader, "/").await;
        assert!(
            home.contains("1<span class=\"visually-hidden\"> 条未读</span>"),
            "the unread count on every page: {home}"
        );
        let inbox = page(&app, &leader, "/inbox").await;
        assert!(
            inbox.contains("【到期提醒】重大行政决策合法性审查不到位：距整改时限还有7天"),
            "{inbox}"
        );
        assert!(inbox.contains(&format!("href=\"/items/{id}\"")), "{inbox}");

        let clerk_session = sign_in(
            &app,
            &password_account(&app, AccountRole::Person, &c.dept, Some(&clerk)).await,
        )
        .await;
        let inbox = page(&app, &clerk_session, "/inbox").await;
        assert!(inbox.contains("距整改时限还有7天"), "{inbox}");

        // A second sweep the same day writes no second message.
        app.reminders.run_once().await.unwrap();
        let listed = app
            .ok_as(
                &c.leader_token,
                "{ notifications { kind text itemId readAt } unreadNotificationCount }",
                json!({}),
            )
            .await;
        assert_eq!(listed["unreadNotificationCount"], 1, "{listed}");
        assert_eq!(listed["notifications"][0]["kind"], "reminder");
        assert_eq!(listed["notifications"][0]["itemId"], json!(id));
        let marked = app
            .ok_as(
                &c.leader_token,
                "mutation { markNotificationsRead }",
                json!({}),
            )
            .await;
        assert_eq!(marked["markNotificationsRead"], 1);
    }
);

/// The path of a first-sign-in link (`http://…/welcome/<token>`).
fn welcome_path(url: &str) -> String {
    let at = url.find("/welcome/").expect("a /welcome/ link");
    url[at..].to_owned()
}

/// GETs a first-sign-in page: (status, the form's cookie, its token, the HTML).
async fn open_welcome(app: &TestApp, path: &str) -> (u16, Option<String>, String) {
    let response = plain_client().get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    let cookie =
        set_cookie(&response, "rectify_csrf").map(|c| c.split(';').next().unwrap().to_owned());
    (status, cookie, response.text().await.unwrap())
}

/// POSTs the first-sign-in form.
async fn post_welcome(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    token: &str,
    new: &str,
    confirm: &str,
) -> reqwest::Response {
    let mut request = plain_client().post(app.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request
        .form(&[("csrf", token), ("new", new), ("confirm", confirm)])
        .send()
        .await
        .unwrap()
}

store_test!(
    an_account_created_without_a_password_signs_in_once_through_its_link,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let zhang = crate::workflow::person(&app, &c.dept, "张处长").await;
        let created = app
            .ok(
                "mutation($a: ID!, $p: ID!) { createAccount(input: { email: \"Zhang@Test.local\", \
                 role: LEADER, agencyId: $a, personId: $p }) { id email firstSignInLink } }",
                json!({ "a": c.dept, "p": zhang }),
            )
            .await;
        let url = created["createAccount"]["firstSignInLink"]
            .as_str()
            .expect("a link for an account without a password")
            .to_owned();
        assert!(url.starts_with(&app.settings.public_url), "{url}");
        let path = welcome_path(&url);
        assert!(path.starts_with("/welcome/rfw_"), "{path}");
        // Only the digest is stored.
        let token = path.trim_start_matches("/welcome/");
        assert!(
            app.store
                .welcome_link_by_hash(token)
                .await
                .unwrap()
                .is_none(),
            "the token itself is not stored"
        );

        let (status, cookie, html) = open_welcome(&app, &path).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("首次登录") && html.contains("zhang@test.local"),
            "{html}"
        );
        let cookie = cookie.expect("the form's cookie");
        let form_token = hidden(&html, "csrf");

        // Without the form's cookie: refused, nothing spent.
        let refused = post_welcome(
            &app,
            &path,
            None,
            &form_token,
            "一个足够长的新登录密码",
            "一个足够长的新登录密码",
        )
        .await;
        assert_eq!(refused.status(), 403);
        // Two different passwords, then a short one: the form again, in Chinese.
        let mismatch = post_welcome(
            &app,
            &path,
            Some(&cookie),
            &form_token,
            "一个足够长的新登录密码",
            "另一个足够长的密码",
        )
        .await;
        assert_eq!(mismatch.status(), 422);
        assert!(
            mismatch
                .text()
                .await
                .unwrap()
                .contains("两次输入的新密码不一致")
        );
        let short = post_welcome(&app, &path, Some(&cookie), &form_token, "短密码", "短密码").await;
        assert_eq!(short.status(), 422);
        let html = short.text().await.unwrap();
        assert!(
            html.contains("新密码至少需要 10 个字符") && html.contains("设置密码并登录"),
            "{html}"
        );

        // The password set, signed in, home.
        let done = post_welcome(
            &app,
            &path,
            Some(&cookie),
            &form_token,
            "一个足够长的新登录密码",
            "一个足够长的新登录密码",
        )
        .await;
        assert_eq!(done.status(), 303);
        assert_eq!(done.headers()["location"], "/");
        let session = set_cookie(&done, "rectify_session")
            .expect("signed in")
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let home = plain_client()
            .get(app.url("/"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(home.status(), 200);
        assert!(home.text().await.unwrap().contains("张处长"));
        let login = app
            .graphql(
                "mutation { login(email: \"zhang@test.local\", password: \"一个足够长的新登录密码\") { token } }",
                json!({}),
            )
            .await;
        assert!(login["data"]["login"]["token"].is_string(), "{login}");

        // Used once: the link no longer works.
        let (status, _, html) = open_welcome(&app, &path).await;
        assert_eq!(status, 410);
        assert!(html.contains("该链接无效、已使用或已过期"), "{html}");
        let again = post_welcome(
            &app,
            &path,
            Some(&cookie),
            &form_token,
            "又一个足够长的密码",
            "又一个足够长的密码",
        )
        .await;
        assert_eq!(again.status(), 410);

        // A new link for an account that has a password is refused.
        let id = created["createAccount"]["id"].clone();
        let code = app
            .code_as(
                Some(&app.admin_token),
                "mutation($id: ID!) { issueFirstSignInLink(accountId: $id) { url } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(code, "CONFLICT");

        // Guessing links is throttled per address like sign-in.
        let mut statuses = Vec::new();
        for n in 0..22 {
            let (status, _, _) = open_welcome(&app, &format!("/welcome/rfw_guess{n}")).await;
            statuses.push(status);
        }
        assert_eq!(statuses[0], 410);
        assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
    }
);

store_test!(
    an_expired_or_replaced_link_does_not_work,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let li = crate::workflow::person(&app, &c.dept, "李科员").await;
        let created = app
            .ok(
                "mutation($a: ID!, $p: ID!) { createAccount(input: { email: \"li@test.local\", \
                 role: PERSON, agencyId: $a, personId: $p }) { id firstSignInLink } }",
                json!({ "a": c.dept, "p": li }),
            )
            .await;
        let first = welcome_path(
            created["createAccount"]["firstSignInLink"]
                .as_str()
                .unwrap(),
        );
        let reissued = app
            .ok(
                "mutation($id: ID!) { issueFirstSignInLink(accountId: $id) { url expiresAt } }",
                json!({ "id": created["createAccount"]["id"] }),
            )
            .await;
        let second = welcome_path(reissued["issueFirstSignInLink"]["url"].as_str().unwrap());
        assert_eq!(
            open_welcome(&app, &first).await.0,
            410,
            "replaced by the new one"
        );
        assert_eq!(open_welcome(&app, &second).await.0, 200);
        // Seven days later.
        let hash = rectify::service::auth::token_digest(second.trim_start_matches("/welcome/"));
        let sql = format!(
            "UPDATE first_sign_in_links SET expires_at = created_at WHERE token_hash = '{hash}'"
        );
        app.store.execute_unprepared(&sql).await.unwrap();
        assert_eq!(open_welcome(&app, &second).await.0, 410);
    }
);

store_test!(
    the_command_line_prints_a_first_sign_in_link,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let wang = crate::workflow::person(&app, &c.dept, "王主任").await;
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_rectify"))
            .args([
                "admin",
                "create-account",
                "--email",
                "wang@test.local",
                "--role",
                "leader",
                "--agency",
                &c.dept,
                "--person",
                &wang,
            ])
            .env("DATABASE_URL", &app.settings.database_url)
            .env("RECTIFY_DATA_DIR", &app.settings.data_dir)
            .env("RECTIFY_PUBLIC_URL", app.url(""))
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{out}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let link = out
            .lines()
            .find(|l| l.starts_with("first sign-in link"))
            .unwrap_or_else(|| panic!("no link in {out}"));
        let url = link.rsplit(' ').next().unwrap();
        let (status, _, html) = open_welcome(&app, &welcome_path(url)).await;
        assert_eq!(status, 200);
        assert!(html.contains("wang@test.local"), "{html}");
    }
);

store_test!(
    my_items_sort_and_go_by_numbered_pages_keeping_the_filters,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        // 23 items, created in the order opposite to their due dates.
        for n in 0..23 {
            let id = new_item(&app, &c.dept, &format!("排序事项{n:02}")).await;
            let due =
                chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap() - chrono::Duration::days(n);
            crate::workflow::assign(&app, &c, &id, &due.to_string()).await;
        }
        let other = new_item(&app, &c.dept, "没有交办给我的事项").await;
        let leader = sign_in(
            &app,
            &password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await,
        )
        .await;
        let titles = |html: &str| -> Vec<String> {
            html.match_indices("排序事项")
                .map(|(at, _)| html[at..at + "排序事项".len() + 2].to_owned())
                .collect()
        };

        let by_creation = page(&app, &leader, "/items").await;
        assert!(by_creation.contains("共 23 项"), "{by_creation}");
        assert!(!by_creation.contains(&other));
        assert_eq!(titles(&by_creation)[0], "排序事项00");
        assert!(by_creation.contains("第 1 页，共 2 页"), "{by_creation}");

        let by_due = page(&app, &leader, "/items?sort=due").await;
        let first = titles(&by_due);
        assert_eq!(first.len(), 20);
        assert_eq!(first[0], "排序事项22", "the earliest due first");
        assert_eq!(first[19], "排序事项03");
        assert!(
            by_due.contains("href=\"/items?sort=due&#38;page=2\""),
            "the next page keeps the order: {by_due}"
        );
        let second = page(&app, &leader, "/items?sort=due&page=2").await;
        assert_eq!(titles(&second), ["排序事项02", "排序事项01", "排序事项00"]);
        assert!(
            second.contains("href=\"/items?sort=due\""),
            "back to page 1"
        );

        // With a filter: the due range and the order both stay in the page links.
        let filtered = page(&app, &leader, "/items?to=2027-02-20&sort=due").await;
        assert!(filtered.contains("共 14 项"), "{filtered}");
        assert!(!filtered.contains("page=2"));

        // The most recently changed first: accept one, it comes to the top.
        let id = by_creation
            .split("href=\"/items/")
            .nth(5)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let v = version(&app, &id).await;
        app.ok_as(
            &c.leader_token,
            crate::workflow::TRANSITION,
            json!({ "id": id, "action": "accept", "measures": "措施", "v": v }),
        )
        .await;
        let by_update = page(&app, &leader, "/items?sort=updated").await;
        let top = by_update.split("href=\"/items/").nth(1).unwrap();
        assert!(top.starts_with(&id), "{by_update}");
        let by_state = page(&app, &leader, "/items?sort=state").await;
        let last_page = page(&app, &leader, "/items?sort=state&page=2").await;
        assert!(
            !by_state.contains(&id) && last_page.contains(&id),
            "assigned (已交办) before in progress (整改中)"
        );
    }
);

store_test!(
    a_person_opens_the_first_sign_in_link_and_makes_a_calendar_link_in_a_browser,
    |backend| async move {
        let app = spawn_app(backend).await;
        let Some(b) = browser().await else { return };
        let c = cast(&app).await;
        let zhao = crate::workflow::person(&app, &c.dept, "赵副局长").await;
        let created = app
            .ok(
                "mutation($a: ID!, $p: ID!) { createAccount(input: { email: \"zhao@test.local\", \
                 role: LEADER, agencyId: $a, personId: $p }) { firstSignInLink } }",
                json!({ "a": c.dept, "p": zhao }),
            )
            .await;
        let path = welcome_path(
            created["createAccount"]["firstSignInLink"]
                .as_str()
                .unwrap(),
        );
        let name = match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        b.client.goto(&app.url(&path)).await.unwrap();
        b.wait_for_text("zhao@test.local").await;
        b.screenshots(&format!("{name}-welcome")).await;
        for field in ["#new", "#confirm"] {
            b.client
                .find(fantoccini::Locator::Css(field))
                .await
                .unwrap()
                .send_keys("赵副局长的新密码123")
                .await
                .unwrap();
        }
        b.client
            .find(fantoccini::Locator::Css("main form button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("工作台").await;

        b.client.goto(&app.url("/account")).await.unwrap();
        b.wait_for_text("我的日历订阅").await;
        b.client
            .find(fantoccini::Locator::XPath(
                "//button[normalize-space()='生成新的订阅链接']",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("只显示这一次").await;
        let url = b
            .client
            .find(fantoccini::Locator::Css("input.copy"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        b.screenshots(&format!("{name}-account-calendar")).await;
        let ics = reqwest::get(app.url(&url[url.find("/calendar/").unwrap()..]))
            .await
            .unwrap();
        assert_eq!(ics.status(), 200);
        assert!(ics.text().await.unwrap().contains("BEGIN:VCALENDAR"));
        b.close().await;
    }
);

/// Bytes of `path` as sent (with `Accept-Encoding: gzip` when `gzip`), and its headers.
async fn fetch(
    app: &TestApp,
    session: &HttpSession,
    path: &str,
    gzip: bool,
) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = plain_client()
        .get(app.url(path))
        .header("cookie", &session.cookie);
    if gzip {
        request = request.header("accept-encoding", "gzip, deflate, br");
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    let headers = response.headers().clone();
    (headers, response.bytes().await.unwrap().to_vec())
}

store_test!(
    pages_and_their_assets_travel_gzipped_and_fit_the_size_budget,
    |backend| async move {
        use std::io::Read;
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "规范性文件备案审查不及时").await;
        crate::workflow::assign(&app, &c, &id, "2027-06-30").await;
        let leader = sign_in(
            &app,
            &password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await,
        )
        .await;
        let (plain_headers, plain) = fetch(&app, &leader, "/", false).await;
        assert!(plain_headers.get("content-encoding").is_none());
        let (headers, gzipped) = fetch(&app, &leader, "/", true).await;
        assert_eq!(headers["content-encoding"], "gzip");
        assert!(
            headers
                .get_all("vary")
                .iter()
                .any(|v| v.to_str().unwrap().contains("Accept-Encoding")),
            "{headers:?}"
        );
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&gzipped[..])
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&unzipped).replace(&leader.csrf, ""),
            String::from_utf8_lossy(&plain).replace(&leader.csrf, "")
        );

        // A first visit: the page, its stylesheet, htmx and the script, compressed.
        let html = String::from_utf8(plain).unwrap();
        let mut first_visit = gzipped.len();
        for asset in html
            .split(['"', '\''])
            .filter(|s| s.starts_with("/assets/"))
        {
            let (headers, bytes) = fetch(&app, &leader, asset, true).await;
            assert!(
                headers["cache-control"]
                    .to_str()
                    .unwrap()
                    .contains("immutable"),
                "{asset}"
            );
            first_visit += bytes.len();
        }
        assert!(
            first_visit <= 150 * 1024,
            "a first visit downloads {first_visit} bytes"
        );
        for path in ["/items", &format!("/items/{id}"), "/inbox", "/account"] {
            let (_, bytes) = fetch(&app, &leader, path, true).await;
            assert!(bytes.len() <= 30 * 1024, "{path}: {} bytes", bytes.len());
        }
    }
);
