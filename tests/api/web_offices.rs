//! The supervising offices' pages: the dashboard (督办看板), its numbers as links to the
//! lists they count, its sorting through the URL, and an office whose mandate covers a tree
//! it is not part of — over plain HTTP and in a real browser, on both stores.

use fantoccini::Locator;
use rectify::domain::AccountRole;
use serde_json::json;

use crate::{
    helpers::*,
    store_test,
    web_support::*,
    workflow::{Cast, ITEM, NOTE, TRANSITION, assign, cast, item, new_item, upload, version},
};

const PDF: &[u8] = include_bytes!("../fixtures/rectification-report.pdf");

/// An item of the department assigned, accepted and submitted for verification with
/// `evidence` (a PDF when true, else a note).
async fn submitted(app: &TestApp, c: &Cast, title: &str, pdf: bool) -> String {
    let id = new_item(app, &c.dept, title).await;
    assign(
        app,
        c,
        &id,
        &(today_here() + chrono::Duration::days(30)).to_string(),
    )
    .await;
    app.ok_as(&c.leader_token, TRANSITION, json!({ "id": id, "action": "accept", "measures": "修订制度并组织培训", "v": version(app, &id).await })).await;
    if pdf {
        let r = upload(app, &c.responsible_token, &id, "整改报告.pdf", PDF.to_vec()).await;
        assert!(r.get("errors").is_none(), "{r}");
    } else {
        app.ok_as(&c.responsible_token, NOTE, json!({ "id": id }))
            .await;
    }
    app.ok_as(
        &c.responsible_token,
        TRANSITION,
        json!({ "id": id, "action": "submit", "v": version(app, &id).await }),
    )
    .await;
    id
}

/// Posts a form in a signed-in session; returns the status and where it redirects.
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
    let to = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (r.status().as_u16(), to)
}

/// A page fetched in a signed-in session.
async fn get(app: &TestApp, s: &HttpSession, path: &str) -> (u16, String) {
    let r = plain_client()
        .get(app.url(path))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The `共 N 项` an item list shows.
fn listed(html: &str) -> u64 {
    let at = html.find("共 ").expect("a count") + "共 ".len();
    html[at..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .expect("a number")
}

/// Every link to the item list in `html` that gives the number of items it lists
/// (`data-count`), with that number; each number is also what the link shows.
fn item_links(html: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("href=\"/items?") {
        rest = &rest[at + "href=\"".len()..];
        let href = rest[..rest.find('"').unwrap()]
            .replace("&amp;", "&")
            .replace("&#38;", "&");
        let tag = &rest[..rest.find('>').unwrap()];
        let Some(count) = tag.find("data-count=\"") else {
            continue;
        };
        let count = &tag[count + "data-count=\"".len()..];
        let n: u64 = count[..count.find('"').unwrap()].parse().unwrap();
        let body = &rest[tag.len() + 1..];
        let body = &body[..body.find("</a>").unwrap()];
        assert!(
            body.contains(&n.to_string()),
            "{href} says {n} but shows {body}"
        );
        out.push((href, n));
    }
    out
}

/// The city of `cast` with a second department, items of every colour, and the city's
/// office signed in: (cast, 教育局, session).
async fn city_with_items(app: &TestApp) -> (Cast, String, String) {
    let c = cast(app).await;
    let education = app.create_agency("某市教育局", Some(&c.city)).await;
    let day = |n: i64| (today_here() + chrono::Duration::days(n)).to_string();
    for (title, due) in [
        ("执法案卷评查问题", day(-5)),
        ("复议纠错问题", day(-1)),
        ("普法形式单一", day(2)),
        ("队伍培训不足", day(40)),
    ] {
        let id = new_item(app, &c.dept, title).await;
        assign(app, &c, &id, &due).await;
    }
    new_item(app, &c.dept, "尚未交办的问题").await;
    let coordinator = app
        .token_for(AccountRole::Coordinator, Some(&education), None)
        .await;
    let leader = crate::workflow::person(app, &education, "赵局长").await;
    let id = new_item(app, &education, "校园安全检查问题").await;
    app.ok_as(
        &coordinator,
        crate::workflow::ASSIGN,
        json!({ "id": id, "v": 1, "input": { "leadPersonId": leader, "dueOn": day(5), "category": "TIME_BOUND" } }),
    )
    .await;
    let email = password_account(app, AccountRole::Supervisor, &c.city, None).await;
    (c, education, email)
}

store_test!(
    every_number_on_the_dashboard_counts_the_list_it_links_to,
    |backend| async move {
        let app = spawn_app(backend).await;
        let (c, education, email) = city_with_items(&app).await;
        let s = sign_in(&app, &email).await;
        let (status, page) = get(&app, &s, "/dashboard").await;
        assert_eq!(status, 200, "{page}");
        assert!(
            page.contains("督办看板 · 某市人民政府"),
            "the office's mandate is its start"
        );
        assert!(page.contains("<svg"), "charts are drawn on the server");
        assert!(
            !page.contains("<script>"),
            "and need no script of their own"
        );
        let links = item_links(&page);
        assert!(links.len() > 40, "{links:?}");
        let mut checked = 0;
        for (href, shown) in &links {
            let (status, list) = get(&app, &s, href).await;
            assert_eq!(status, 200, "{href}");
            assert_eq!(
                listed(&list),
                *shown,
                "{href} shows {shown} on the dashboard"
            );
            checked += 1;
        }
        assert!(checked > 40);
        // The figures themselves, as a person checks them.
        for (label, n) in [("已逾期", 2), ("未完成", 6), ("7日内到期", 2)] {
            let at = page
                .find(&format!("<span class=\"label\">{label}</span>"))
                .unwrap();
            assert!(
                page[at..].starts_with(&format!(
                    "<span class=\"label\">{label}</span><strong>{n}</strong>"
                )),
                "{label} is {n}"
            );
        }
        let red = links
            .iter()
            .find(|(h, _)| h == &format!("/items?agency={}&level=3", c.dept))
            .expect("the department's red count links to its red items");
        assert_eq!(red.1, 2);

        // Sorted by any column through the URL; a second click turns it round.
        let order = |html: &str| -> Vec<usize> {
            ["某市人民政府", "某市司法局", "某市教育局"]
                .iter()
                .map(|n| {
                    let table = &html[html.find("id=\"units\"").unwrap()..];
                    table.find(&format!(">{n}</a></th>")).unwrap()
                })
                .collect()
        };
        let (_, by_name) = get(&app, &s, "/dashboard?sort=name&dir=asc").await;
        let asc = order(&by_name);
        let (_, by_name_desc) = get(&app, &s, "/dashboard?sort=name&dir=desc").await;
        let desc = order(&by_name_desc);
        assert!(
            (asc[0] < asc[1]) != (desc[0] < desc[1]) && (asc[1] < asc[2]) != (desc[1] < desc[2]),
            "descending is ascending turned round"
        );
        let (_, by_blue) = get(&app, &s, "/dashboard?sort=blue&dir=desc").await;
        let blue = order(&by_blue);
        assert!(blue[2] < blue[1], "教育局 has the one blue item: first");
        assert!(by_blue.contains("aria-sort=\"descending\""));

        // Nobody sees a dashboard beyond their reach, and leaders have none.
        let other = password_account(&app, AccountRole::Supervisor, &c.other_city, None).await;
        let other = sign_in(&app, &other).await;
        let (status, _) = get(&app, &other, &format!("/dashboard?agency={}", c.city)).await;
        assert_eq!(status, 403);
        let (status, own) = get(&app, &other, "/dashboard").await;
        assert_eq!(status, 200);
        assert!(own.contains("另一市人民政府") && !own.contains("某市教育局"));
        let (status, _) = get(&app, &other, &format!("/items?agency={education}")).await;
        assert_eq!(status, 403, "a unit outside reach is refused, not emptied");
        let leader = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
        let leader = sign_in(&app, &leader).await;
        let (status, _) = get(&app, &leader, "/dashboard").await;
        assert_eq!(status, 403);
        let (_, home) = get(&app, &leader, "/").await;
        assert!(
            !home.contains("href=\"/dashboard\""),
            "no dashboard in a leader's navigation"
        );
    }
);

store_test!(
    a_supervisor_drills_from_a_units_red_count_to_its_items,
    |backend| async move {
        let app = spawn_app(backend).await;
        let Some(b) = browser().await else { return };
        let name = match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        let (c, _, email) = city_with_items(&app).await;
        let with_pdf = submitted(&app, &c, "行政执法公示不到位", true).await;
        let with_note = submitted(&app, &c, "培训记录不全", false).await;
        let third = new_item(&app, &c.dept, "第三项逾期事项").await;
        assign(
            &app,
            &c,
            &third,
            &(today_here() - chrono::Duration::days(2)).to_string(),
        )
        .await;
        b.client.goto(&app.url("/dashboard")).await.unwrap();
        crate::web_browser::sign_in_form(&b, &email).await;
        b.wait_for_text("三色督办").await;
        b.screenshots(&format!("{name}-dashboard")).await;
        b.client
            .find(Locator::Css("a.n.red[aria-label^='某市司法局']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let text = b.wait_for_text("单位：某市司法局").await;
        assert!(text.contains("共 3 项"), "{text}");
        assert!(
            text.contains("执法案卷评查问题") && text.contains("复议纠错问题"),
            "{text}"
        );
        assert!(
            !text.contains("普法形式单一"),
            "a yellow item is not red: {text}"
        );
        let red: Vec<String> = app
            .ok(
                "query($a: ID!) { items(filter: { agencyId: $a, escalationLevel: 3 }) { nodes { id } } }",
                json!({ "a": c.dept }),
            )
            .await["items"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(red.len(), 3);
        b.screenshots(&format!("{name}-dashboard-red-items")).await;
        let at = b.client.current_url().await.unwrap();
        assert_eq!(
            at.query(),
            Some(format!("agency={}&level=3", c.dept).as_str())
        );
        // 待验收: one verified with its PDF previewed, one returned with a reason.
        b.client
            .find(Locator::Css("nav a[href='/queues/verify']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("整改报告.pdf").await;
        assert!(
            b.client
                .find(Locator::Css("iframe[src^='/evidence/']"))
                .await
                .is_ok(),
            "the PDF is previewed in the page"
        );
        b.screenshots(&format!("{name}-queue-verify")).await;
        let article = |id: &str| format!("#item-{id}");
        b.client
            .find(Locator::Css(&format!(
                "{} .verify-form button",
                article(&with_pdf)
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("已验收通过").await;
        b.client
            .find(Locator::Css(&format!(
                "{} textarea[name='comment']",
                article(&with_note)
            )))
            .await
            .unwrap()
            .send_keys("缺少培训签到表，请补充")
            .await
            .unwrap();
        b.client
            .find(Locator::Css(&format!(
                "{} .reject-form button",
                article(&with_note)
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("已退回").await;
        assert_eq!(item(&app, &with_pdf).await["state"], "closed");
        assert_eq!(item(&app, &with_note).await["state"], "in_progress");

        // Three red items urged at once.
        b.client
            .find(Locator::LinkText("逾期和红色督办"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("督办所选事项").await;
        for id in &red {
            b.client
                .find(Locator::Css(&format!("input[name='pick-{id}']")))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
        b.client
            .find(Locator::Css("#note"))
            .await
            .unwrap()
            .send_keys("请于本周五前报送整改进展")
            .await
            .unwrap();
        b.screenshots(&format!("{name}-queue-press")).await;
        b.client
            .find(Locator::Css("form.press button[type='submit']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("已督办 3 项").await;
        b.screenshots(&format!("{name}-queue-urged")).await;
        b.close().await;
    }
);

store_test!(
    an_office_with_a_mandate_over_a_tree_it_is_not_part_of_sees_exactly_that_tree,
    |backend| async move {
        let app = spawn_app(backend).await;
        let Some(b) = browser().await else { return };
        let name = match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        let city = app.create_agency("某市人民政府", None).await;
        let justice = app.create_agency("某市司法局", Some(&city)).await;
        let education = app.create_agency("某市教育局", Some(&city)).await;
        let district = app.create_agency("某区人民政府", Some(&city)).await;
        let district_education = app.create_agency("某区教育局", Some(&district)).await;
        let office = app
            .ok(
                "mutation($p: ID!) { createAgency(input: { name: \"某市委依法治市办\", parentId: $p, kind: OFFICE }) { id } }",
                json!({ "p": justice }),
            )
            .await["createAgency"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        for agency in [&education, &district] {
            app.ok(
                "mutation($o: ID!, $a: ID!) { grantSupervision(input: { officeId: $o, agencyId: $a }) { id } }",
                json!({ "o": office, "a": agency }),
            )
            .await;
        }
        for (agency, title) in [
            (&justice, "司法局自己的事项"),
            (&education, "教育局的事项"),
            (&district_education, "区教育局的事项"),
        ] {
            new_item(&app, agency, title).await;
        }
        let email = password_account(&app, AccountRole::Supervisor, &office, None).await;

        b.client.goto(&app.url("/dashboard")).await.unwrap();
        crate::web_browser::sign_in_form(&b, &email).await;
        let text = b.wait_for_text("督办范围").await;
        assert!(
            text.contains("督办看板 · 某市教育局"),
            "the first mandate first: {text}"
        );
        b.screenshots(&format!("{name}-mandate-dashboard")).await;
        b.client
            .find(Locator::LinkText("某区人民政府"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let text = b.wait_for_text("督办看板 · 某区人民政府").await;
        assert!(text.contains("某区教育局"), "{text}");
        assert!(!text.contains("某市司法局"), "{text}");
        // The item list holds exactly the two trees' items.
        b.client
            .find(Locator::Css("nav a[href='/items']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let text = b.wait_for_text("共 2 项").await;
        assert!(
            text.contains("教育局的事项") && text.contains("区教育局的事项"),
            "{text}"
        );
        assert!(!text.contains("司法局自己的事项"), "{text}");
        b.screenshots(&format!("{name}-mandate-items")).await;
        // Its own department (where it sits) is not its to supervise.
        b.client
            .goto(&app.url(&format!("/dashboard?agency={justice}")))
            .await
            .unwrap();
        let text = b.wait_for_text("无权").await;
        assert!(!text.contains("司法局自己的事项"), "{text}");
        b.close().await;
    }
);

store_test!(
    the_queues_verify_return_decide_and_urge_many,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let with_pdf = submitted(&app, &c, "执法案卷不规范", true).await;
        let with_note = submitted(&app, &c, "普法形式单一", false).await;
        let extended = new_item(&app, &c.dept, "需延期的事项").await;
        assign(
            &app,
            &c,
            &extended,
            &(today_here() + chrono::Duration::days(10)).to_string(),
        )
        .await;
        app.ok_as(&c.leader_token, TRANSITION, json!({ "id": extended, "action": "accept", "measures": "m", "v": version(&app, &extended).await })).await;
        let later = (today_here() + chrono::Duration::days(90)).to_string();
        app.ok_as(&c.responsible_token, "mutation($id: ID!, $d: NaiveDate!, $v: Int!) { requestExtension(id: $id, dueOn: $d, reason: \"等待上级批复\", expectedVersion: $v) { id } }",
            json!({ "id": extended, "d": later, "v": version(&app, &extended).await })).await;
        let mut red = Vec::new();
        for (i, title) in ["逾期一", "逾期二", "逾期三"].iter().enumerate() {
            let id = new_item(&app, &c.dept, title).await;
            assign(
                &app,
                &c,
                &id,
                &(today_here() - chrono::Duration::days(i as i64 + 1)).to_string(),
            )
            .await;
            red.push(id);
        }
        let email = password_account(&app, AccountRole::Supervisor, &c.city, None).await;
        let s = sign_in(&app, &email).await;

        // 待验收: both items, the PDF previewed in the page from the evidence route.
        let (status, page) = get(&app, &s, "/queues/verify").await;
        assert_eq!(status, 200);
        assert!(page.contains("执法案卷不规范") && page.contains("普法形式单一"));
        let at = page
            .find("<iframe src=\"/evidence/")
            .expect("the PDF previewed inline")
            + "<iframe src=\"".len();
        let src = page[at..at + page[at..].find('"').unwrap()]
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        let pdf = plain_client()
            .get(app.url(&src))
            .header("cookie", &s.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), 200);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");

        // Verify one with its outcome; a return needs a reason; return the other.
        let v = version(&app, &with_pdf).await.to_string();
        let (status, to) = post(
            &app,
            &s,
            &format!("/queues/verify/{with_pdf}"),
            &[
                ("version", &v),
                ("decision", "verify"),
                ("outcome", "continuing"),
            ],
        )
        .await;
        assert_eq!((status, to.as_str()), (303, "/queues/verify?done=verify"));
        let closed = item(&app, &with_pdf).await;
        assert_eq!(
            (closed["state"].as_str(), closed["outcome"].as_str()),
            (Some("closed"), Some("continuing")),
            "{closed}"
        );
        let v = version(&app, &with_note).await.to_string();
        let (_, to) = post(
            &app,
            &s,
            &format!("/queues/verify/{with_note}"),
            &[("version", &v), ("decision", "reject"), ("comment", "")],
        )
        .await;
        assert_eq!(to, "/queues/verify?error=VALIDATION");
        assert_eq!(
            item(&app, &with_note).await["state"],
            "submitted",
            "refused, nothing changed"
        );
        let (_, to) = post(
            &app,
            &s,
            &format!("/queues/verify/{with_note}"),
            &[
                ("version", &v),
                ("decision", "reject"),
                ("comment", "缺少培训签到表"),
            ],
        )
        .await;
        assert_eq!(to, "/queues/verify?done=reject");
        assert_eq!(item(&app, &with_note).await["state"], "in_progress");
        let (_, page) = get(&app, &s, "/queues/verify?done=reject").await;
        assert!(
            page.contains("已退回") && page.contains("没有待验收的事项"),
            "{page}"
        );

        // The extension request, decided from its queue.
        let (_, page) = get(&app, &s, "/queues/extensions").await;
        assert!(page.contains("需延期的事项") && page.contains("等待上级批复"));
        let request = {
            let at = page.find("action=\"/queues/extensions/").unwrap()
                + "action=\"/queues/extensions/".len();
            page[at..at + 36].to_owned()
        };
        let v = version(&app, &extended).await.to_string();
        let (_, to) = post(
            &app,
            &s,
            &format!("/queues/extensions/{request}"),
            &[("version", &v), ("decision", "approve")],
        )
        .await;
        assert_eq!(to, "/queues/extensions?done=approve");
        assert_eq!(item(&app, &extended).await["dueOn"], json!(later));

        // Three red items urged at once with one note.
        let (_, page) = get(&app, &s, "/queues/press").await;
        for title in ["逾期一", "逾期二", "逾期三"] {
            assert!(page.contains(title), "{title}");
        }
        assert!(!page.contains("需延期的事项"), "not red");
        let mut form: Vec<(String, String)> = Vec::new();
        for id in &red {
            form.push((format!("pick-{id}"), version(&app, id).await.to_string()));
        }
        form.push(("note".into(), "请于本周五前报送整改进展".into()));
        let fields: Vec<(&str, &str)> =
            form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (_, to) = post(&app, &s, "/queues/urge", &fields).await;
        assert_eq!(to, "/queues/press?done=urge&n=3&failed=0");
        for id in &red {
            let history = app.ok(ITEM, json!({ "id": id })).await;
            let actions: Vec<&str> = history["item"]["history"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| e["action"].as_str())
                .collect();
            assert!(actions.contains(&"urge"), "{actions:?}");
        }
        let (_, to) = post(&app, &s, "/queues/urge", &[("note", "没选事项")]).await;
        assert_eq!(to, "/queues/press?error=VALIDATION");

        // Not for leaders; nor without the form's token.
        let leader = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
        let leader = sign_in(&app, &leader).await;
        let (status, _) = get(&app, &leader, "/queues/verify").await;
        assert_eq!(status, 403);
        let forged = plain_client()
            .post(app.url("/queues/urge"))
            .header("cookie", &s.cookie)
            .form(&[("note", "x"), (&format!("pick-{}", red[0]), "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
    }
);
