//! Stories in a real browser (headless Chromium over WebDriver), on both stores: a leader
//! signs in from an item's link, accepts with measures, adds a PDF and a photo, submits;
//! a verifier returns it and the leader reads why on the workbench; a stale form keeps
//! what was typed; another agency's item is a Chinese 403 page; signing out ends the
//! session. Each story writes screenshots of the pages it visits (1280 px, 375 px, and in
//! large-text mode) under `<target>/screenshots/`.

use fantoccini::Locator;
use rectify::domain::AccountRole;
use serde_json::json;

use crate::{
    helpers::*,
    store_test,
    web_support::*,
    workflow::{ASSIGN, TRANSITION, assign, cast, item, new_item, version},
};

const PDF: &[u8] = include_bytes!("../fixtures/rectification-report.pdf");
const PHOTO: &[u8] = include_bytes!("../fixtures/site-photo.png");

/// Signs in through the form the browser was sent to.
pub async fn sign_in_form(b: &Browser, email: &str) {
    b.wait_for_path("/login").await;
    let c = &b.client;
    c.find(Locator::Css("#email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/login'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Opens the form of the action labelled `label` and returns it.
async fn open_action(b: &Browser, label: &str) -> fantoccini::elements::Element {
    let summary = b
        .client
        .find(Locator::XPath(&format!(
            "//details/summary[normalize-space()='{label}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("no action {label}: {e}"));
    summary.click().await.unwrap();
    summary
        .find(Locator::XPath("./following-sibling::form"))
        .await
        .unwrap()
}

store_test!(
    a_leader_works_an_item_from_the_email_link,
    |backend| async move {
        let app = spawn_app(backend).await;
        let Some(b) = browser().await else { return };
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "行政执法案卷评查发现的程序不规范问题").await;
        assign(&app, &c, &id, "2027-06-30").await;
        let email = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
        let name = match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };

        // The link in the reminder email: sign in first, then straight to the item.
        b.client
            .goto(&app.url(&format!("/items/{id}")))
            .await
            .unwrap();
        b.wait_for_path("/login").await;
        b.screenshots(&format!("{name}-login")).await;
        sign_in_form(&b, &email).await;
        b.wait_for_path(&format!("/items/{id}")).await;
        let text = b.wait_for_text("行政执法案卷评查").await;
        assert!(text.contains("张局长") && text.contains("签收"), "{text}");
        b.screenshots(&format!("{name}-item-assigned")).await;

        // Accept with measures.
        let form = open_action(&b, "签收").await;
        form.find(Locator::Css("textarea[name=measures]"))
            .await
            .unwrap()
            .send_keys("一、修订行政执法程序规定；二、开展案卷评查培训")
            .await
            .unwrap();
        form.find(Locator::Css("button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("已签收，整改措施已保存").await;
        assert_eq!(item(&app, &id).await["state"], "in_progress");

        // A PDF and a photo in one go.
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("整改报告.pdf");
        let photo = dir.path().join("现场照片.png");
        std::fs::write(&pdf, PDF).unwrap();
        std::fs::write(&photo, PHOTO).unwrap();
        let form = open_action(&b, "添加佐证材料").await;
        form.find(Locator::Css("input[type=file]"))
            .await
            .unwrap()
            .send_keys(&format!("{}\n{}", pdf.display(), photo.display()))
            .await
            .unwrap();
        form.find(Locator::Css("button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let text = b.wait_for_text("佐证材料已添加").await;
        assert!(
            text.contains("整改报告.pdf") && text.contains("现场照片.png"),
            "{text}"
        );
        let img = b.client.find(Locator::Css(".preview img")).await.unwrap();
        let loaded = b
            .client
            .execute(
                "return arguments[0].complete && arguments[0].naturalWidth",
                vec![serde_json::to_value(&img).unwrap()],
            )
            .await
            .unwrap();
        assert_eq!(loaded, json!(240), "the photo shows in the page");
        b.client
            .find(Locator::Css(".preview iframe"))
            .await
            .expect("the PDF shows in the page");
        b.screenshots(&format!("{name}-item-evidence")).await;

        // Submit for verification.
        let form = open_action(&b, "提交验收").await;
        form.find(Locator::Css("button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("已提交验收").await;
        assert_eq!(item(&app, &id).await["state"], "submitted");

        // The verifier returns it (through the API); the workbench says why.
        let v = version(&app, &id).await;
        app.ok_as(
            &c.supervisor,
            TRANSITION,
            json!({ "id": id, "action": "reject", "v": v,
        "comment": "照片不清晰，请补充整改前后对比照片" }),
        )
        .await;
        b.client
            .find(Locator::LinkText("工作台"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let text = b.wait_for_text("照片不清晰，请补充整改前后对比照片").await;
        assert!(text.contains("被退回"), "{text}");
        b.screenshots(&format!("{name}-workbench")).await;
        // The return is in the inbox too, counted in the navigation.
        b.client
            .find(Locator::Css("a[href='/inbox']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let text = b.wait_for_text("【退回】").await;
        assert!(text.contains("照片不清晰"), "{text}");
        b.screenshots(&format!("{name}-inbox")).await;
        b.client
            .find(Locator::LinkText("我的事项"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("共 1 项").await;
        b.screenshots(&format!("{name}-items")).await;

        // 长辈模式: larger text, remembered for the account.
        b.client
            .find(Locator::XPath("//footer//button[contains(., '长辈模式')]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("共 1 项").await;
        let size = b
            .client
            .execute("return getComputedStyle(document.body).fontSize", vec![])
            .await
            .unwrap();
        let px: f64 = size
            .as_str()
            .unwrap()
            .trim_end_matches("px")
            .parse()
            .unwrap();
        assert!(px >= 20.0, "large text is at least 20 px, got {px}");
        b.screenshots(&format!("{name}-items-large")).await;
        b.client.goto(&app.url("/")).await.unwrap();
        b.wait_for_text("被退回").await;
        b.screenshots(&format!("{name}-workbench-large")).await;
        b.client
            .goto(&app.url(&format!("/items/{id}")))
            .await
            .unwrap();
        b.wait_for_text("办理经过").await;
        let text = b.main_text().await;
        assert!(
            text.contains("退回理由：照片不清晰"),
            "the history names the reason: {text}"
        );
        assert!(!text.contains(&c.leader), "no ids in the page");
        b.screenshots(&format!("{name}-item-large")).await;
        b.close().await;
    }
);

store_test!(a_stale_form_keeps_what_was_typed, |backend| async move {
    let app = spawn_app(backend).await;
    let Some(b) = browser().await else { return };
    let c = cast(&app).await;
    let id = new_item(&app, &c.dept, "重大行政决策未经合法性审查").await;
    assign(&app, &c, &id, "2027-03-31").await;
    let email = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
    b.client
        .goto(&app.url(&format!("/items/{id}")))
        .await
        .unwrap();
    sign_in_form(&b, &email).await;
    b.wait_for_text("重大行政决策").await;

    // Meanwhile the coordinator moves the due date: the page now shows an old version.
    let v = version(&app, &id).await;
    app.ok_as(
        &c.coordinator,
        ASSIGN,
        json!({ "id": id, "v": v, "input": {
        "leadPersonId": c.leader, "responsiblePersonId": c.responsible,
        "leadUnitId": c.dept, "dueOn": "2027-05-31", "category": "TIME_BOUND" } }),
    )
    .await;

    let typed = "建立重大行政决策合法性审查台账";
    let form = open_action(&b, "签收").await;
    form.find(Locator::Css("textarea[name=measures]"))
        .await
        .unwrap()
        .send_keys(typed)
        .await
        .unwrap();
    form.find(Locator::Css("button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = b.wait_for_text("该事项已被他人更新").await;
    assert!(
        text.contains("2027-05-31"),
        "the new state is shown: {text}"
    );
    let kept = b
        .client
        .find(Locator::Css("textarea[name=measures]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(kept, typed, "what was typed is kept");
    assert_eq!(item(&app, &id).await["state"], "assigned");
    let name = if backend == Backend::Sqlite {
        "sqlite"
    } else {
        "postgres"
    };
    b.screenshots(&format!("{name}-item-stale")).await;

    // Sent again, now on the new version, it goes through.
    b.client
        .find(Locator::XPath("//details[@open]//form//button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for_text("已签收").await;
    assert_eq!(item(&app, &id).await["measures"], typed);
    b.close().await;
});

store_test!(
    another_agencys_item_is_forbidden_and_sign_out_ends_the_session,
    |backend| async move {
        let app = spawn_app(backend).await;
        let Some(b) = browser().await else { return };
        let c = cast(&app).await;
        let other = new_item(&app, &c.other_city, "另一市的事项").await;
        let email = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
        b.client
            .goto(&app.url(&format!("/items/{other}")))
            .await
            .unwrap();
        sign_in_form(&b, &email).await;
        let text = b.wait_for_text("无权访问").await;
        assert!(
            text.contains("不在您负责的范围内") && !text.contains("另一市的事项"),
            "{text}"
        );
        let name = if backend == Backend::Sqlite {
            "sqlite"
        } else {
            "postgres"
        };
        b.screenshots(&format!("{name}-forbidden")).await;
        b.client
            .find(Locator::LinkText("我的账户"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let text = b.wait_for_text("登录设备").await;
        assert!(
            text.contains("张局长") && text.contains("责任领导") && text.contains("某市司法局"),
            "{text}"
        );
        b.screenshots(&format!("{name}-account")).await;
        b.client
            .find(Locator::LinkText("修改密码"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_text("再次输入新密码").await;
        b.screenshots(&format!("{name}-password")).await;
        let status = plain_client()
            .get(app.url(&format!("/items/{other}")))
            .header(
                "cookie",
                format!("rectify_session={}", session_cookie(&b).await),
            )
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 403);

        // Signing out: back at the sign-in page, and the old cookie opens nothing.
        let old = session_cookie(&b).await;
        b.client
            .find(Locator::XPath("//button[normalize-space()='退出登录']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait_for_path("/login").await;
        b.client.goto(&app.url("/")).await.unwrap();
        b.wait_for_path("/login").await;
        let after = plain_client()
            .get(app.url("/"))
            .header("cookie", format!("rectify_session={old}"))
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), 303);
        b.close().await;
    }
);

/// The browser's session cookie value (WebDriver sees HttpOnly cookies).
async fn session_cookie(b: &Browser) -> String {
    b.client
        .get_named_cookie("rectify_session")
        .await
        .expect("a session cookie")
        .value()
        .to_owned()
}
