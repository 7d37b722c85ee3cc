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
    workflow::{Cast, assign, cast, new_item},
};

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
        assert!(text.contains("共 2 项"), "{text}");
        assert!(
            text.contains("执法案卷评查问题") && text.contains("复议纠错问题"),
            "{text}"
        );
        assert!(
            !text.contains("普法形式单一"),
            "a yellow item is not red: {text}"
        );
        b.screenshots(&format!("{name}-dashboard-red-items")).await;
        let at = b.client.current_url().await.unwrap();
        assert_eq!(
            at.query(),
            Some(format!("agency={}&level=3", c.dept).as_str())
        );
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
