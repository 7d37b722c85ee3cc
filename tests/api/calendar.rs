//! Calendar feeds: a leader subscribes to a secret ICS URL and sees exactly their open
//! deadlines — led in person or through a post held today, or in their charge — until the
//! feed is revoked.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::{
    access::REPORT,
    helpers::*,
    store_test,
    workflow::{ASSIGN, NOTE, TRANSITION, act, assign, cast, new_item, version},
};

const CREATE_FEED: &str =
    "mutation { createCalendarFeed { feed { id createdAt revokedAt } url token } }";
const REVOKE_FEED: &str = "mutation($id: ID!) { revokeCalendarFeed(id: $id) { id revokedAt } }";
const FEEDS: &str = "{ calendarFeeds { id createdAt revokedAt } }";

/// A feed as created: its id, and its path on this server.
struct Feed {
    id: String,
    token: String,
    path: String,
}

/// Creates a feed as `token`, checking what comes back.
async fn create_feed(app: &TestApp, token: &str) -> Feed {
    let data = app.ok_as(token, CREATE_FEED, json!({})).await;
    let created = &data["createCalendarFeed"];
    let secret = created["token"].as_str().expect("a token").to_owned();
    assert!(
        secret.starts_with("cal_") && secret.len() == 4 + 64,
        "{secret}"
    );
    assert_eq!(
        created["url"],
        json!(format!("{}/calendar/{secret}.ics", app.settings.public_url))
    );
    assert_eq!(created["feed"]["revokedAt"], Value::Null);
    Feed {
        id: created["feed"]["id"].as_str().unwrap().to_owned(),
        path: format!("/calendar/{secret}.ics"),
        token: secret,
    }
}

/// GETs `path` as a calendar program does: no credentials but the URL.
async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    client_with(None)
        .get(app.url(path))
        .send()
        .await
        .expect("the server answers")
}

/// The feed's ICS text, which must be served.
async fn ics(app: &TestApp, feed: &Feed) -> String {
    let response = get(app, &feed.path).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    assert_eq!(response.headers()["cache-control"], "private, max-age=300");
    response.text().await.unwrap()
}

/// The content lines, unfolded (RFC 5545 §3.1).
fn unfold(ics: &str) -> Vec<String> {
    ics.replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Each VEVENT's lines.
fn events(ics: &str) -> Vec<Vec<String>> {
    let mut events = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in unfold(ics) {
        match line.as_str() {
            "BEGIN:VEVENT" => current = Some(Vec::new()),
            "END:VEVENT" => events.extend(current.take()),
            _ => {
                if let Some(event) = current.as_mut() {
                    event.push(line);
                }
            }
        }
    }
    events
}

/// The value of an event's first `name` property (parameters skipped).
fn prop<'a>(event: &'a [String], name: &str) -> &'a str {
    event
        .iter()
        .find(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(':') || rest.starts_with(';'))
        })
        .and_then(|l| l.split_once(':'))
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("no {name} in {event:#?}"))
}

/// The feed's events as (item id, due date), e.g. ("…", "20271231").
fn deadlines(ics: &str) -> BTreeSet<(String, String)> {
    events(ics)
        .iter()
        .map(|e| {
            let uid = prop(e, "UID");
            let id = uid.strip_suffix("@rectify").expect("UID <item>@rectify");
            (id.to_owned(), prop(e, "DTSTART").to_owned())
        })
        .collect()
}

fn set(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|(id, day)| ((*id).to_owned(), (*day).to_owned()))
        .collect()
}

/// Assigns `id` to a lead alone — `("leadPersonId", person)` or `("leadPostId", post)` —
/// due on `due`.
async fn assign_to(app: &TestApp, coordinator: &str, id: &str, lead: (&str, &str), due: &str) {
    let v = version(app, id).await;
    let mut input = json!({ "dueOn": due, "category": "TIME_BOUND" });
    input[lead.0] = json!(lead.1);
    app.ok_as(
        coordinator,
        ASSIGN,
        json!({ "id": id, "v": v, "input": input }),
    )
    .await;
}

store_test!(
    a_leaders_feed_holds_exactly_their_open_deadlines,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        // Led in person (the cast's responsible person is in charge of these too).
        let led = new_item(&app, &c.dept, "修订执法案卷标准").await;
        assign(&app, &c, &led, "2027-12-31").await;
        let accepted = new_item(&app, &c.dept, "开展执法人员专业培训").await;
        assign(&app, &c, &accepted, "2027-09-30").await;
        let measures = json!({ "measures": "分两期培训" });
        assert_eq!(
            act(&app, &c.leader_token, &accepted, "accept", measures).await,
            "OK"
        );
        let cancelled = new_item(&app, &c.dept, "已合并的问题").await;
        assign(&app, &c, &cancelled, "2027-11-30").await;
        let closed = new_item(&app, &c.dept, "立行立改的问题").await;
        assign(&app, &c, &closed, "2027-08-31").await;
        // Led through a post the leader holds from today.
        let post = app
            .ok(
                "mutation($a: ID!) { createPost(agencyId: $a, title: \"分管副局长\") { id } }",
                json!({ "a": c.dept }),
            )
            .await["createPost"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let appoint = "mutation($p: ID!, $who: ID!) { appointToPost(postId: $p, personId: $who) { startedOn } }";
        app.ok(appoint, json!({ "p": post, "who": c.leader })).await;
        let by_post = new_item(&app, &c.dept, "岗位责任事项").await;
        assign_to(
            &app,
            &c.coordinator,
            &by_post,
            ("leadPostId", &post),
            "2028-03-31",
        )
        .await;
        // Someone else's, and one not yet assigned (no lead, no due date).
        let others = new_item(&app, &c.dept, "另一位领导的事项").await;
        assign_to(
            &app,
            &c.coordinator,
            &others,
            ("leadPersonId", &c.other_leader),
            "2027-10-31",
        )
        .await;
        new_item(&app, &c.dept, "待交办").await;

        let leader = create_feed(&app, &c.leader_token).await;
        let responsible = create_feed(&app, &c.responsible_token).await;
        let other = create_feed(&app, &c.other_leader_token).await;

        let text = ics(&app, &leader).await;
        assert!(unfold(&text).contains(&"X-WR-CALNAME:整改时限 – 张局长".to_owned()));
        assert_eq!(
            deadlines(&text),
            set(&[
                (&led, "20271231"),
                (&accepted, "20270930"),
                (&cancelled, "20271130"),
                (&closed, "20270831"),
                (&by_post, "20280331"),
            ])
        );
        assert_eq!(events(&text).len(), 5, "one event per item");
        let first = events(&text)
            .into_iter()
            .find(|e| prop(e, "UID") == format!("{led}@rectify"))
            .unwrap();
        assert_eq!(
            prop(&first, "DTEND"),
            "20280101",
            "all day, ending the next day"
        );
        assert_eq!(prop(&first, "SUMMARY"), "【整改时限】修订执法案卷标准");
        assert_eq!(prop(&first, "TRIGGER"), "-P3D");
        assert_eq!(
            deadlines(&ics(&app, &other).await),
            set(&[(&others, "20271031")])
        );

        // Cancelled and closed items leave the feed.
        let comment = json!({ "comment": "已与其他问题合并整改" });
        assert_eq!(
            act(&app, &c.supervisor, &cancelled, "cancel", comment).await,
            "OK"
        );
        let v = version(&app, &closed).await;
        app.ok_as(
            &c.leader_token,
            TRANSITION,
            json!({ "id": closed, "action": "accept", "measures": "m", "v": v }),
        )
        .await;
        app.ok_as(&c.responsible_token, NOTE, json!({ "id": closed }))
            .await;
        assert_eq!(
            act(&app, &c.responsible_token, &closed, "submit", json!({})).await,
            "OK"
        );
        assert_eq!(
            act(
                &app,
                &c.supervisor,
                &closed,
                "verify",
                json!({ "outcome": "RECTIFIED" })
            )
            .await,
            "OK"
        );
        assert_eq!(
            deadlines(&ics(&app, &leader).await),
            set(&[
                (&led, "20271231"),
                (&accepted, "20270930"),
                (&by_post, "20280331"),
            ])
        );
        assert_eq!(
            deadlines(&ics(&app, &responsible).await),
            set(&[(&led, "20271231"), (&accepted, "20270930")]),
            "the person in charge sees the items they are responsible for"
        );

        // The post rotates: its item follows the new holder from today.
        app.ok(appoint, json!({ "p": post, "who": c.other_leader }))
            .await;
        assert!(
            !deadlines(&ics(&app, &leader).await).contains(&(by_post.clone(), "20280331".into()))
        );
        assert_eq!(
            deadlines(&ics(&app, &other).await),
            set(&[(&others, "20271031"), (&by_post, "20280331")])
        );
    }
);

store_test!(
    the_feed_is_valid_ics_with_escaped_text_and_folded_lines,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let imported = app
            .ok(
                "mutation($t: String!, $a: ID!) { importReport(input: { text: $t, agencyId: $a }) { report { shortcomings { id text } } } }",
                json!({ "t": REPORT, "a": c.dept }),
            )
            .await;
        let shortcoming = &imported["importReport"]["report"]["shortcomings"][0];
        let title = "关于“执法,案卷;评查”的问题\n加强行政执法队伍建设，开展执法人员专业培训和案卷评查，提升执法案卷质量";
        let id = app
            .ok(
                "mutation($input: CreateItemInput!) { createItem(input: $input) { id } }",
                json!({ "input": { "agencyId": c.dept, "title": title, "source": "ANNUAL_REPORT",
                                   "shortcomingId": shortcoming["id"] } }),
            )
            .await["createItem"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assign(&app, &c, &id, "2027-12-31").await;
        let feed = create_feed(&app, &c.leader_token).await;
        let text = ics(&app, &feed).await;

        // CRLF everywhere, no physical line over 75 octets, and the long ones folded.
        assert!(text.ends_with("END:VCALENDAR\r\n"), "{text}");
        let physical: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
        for line in &physical {
            assert!(
                !line.contains('\n') && !line.contains('\r'),
                "a bare line break: {line:?}"
            );
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        assert!(
            physical.iter().any(|l| l.starts_with(' ')),
            "long lines fold"
        );
        let lines = unfold(&text);
        for header in [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
        ] {
            assert!(lines.contains(&header.to_owned()), "{header} missing");
        }
        assert!(lines.iter().any(|l| l.starts_with("PRODID:")));

        // TEXT values escaped: `,` `;` and the newline in the title; URL as is.
        let event = &events(&text)[0];
        assert_eq!(
            prop(event, "SUMMARY"),
            "【整改时限】关于“执法\\,案卷\\;评查”的问题\\n加强行政执法队伍建设，开展执法人员专业培训和案卷评查，提升执法案卷质量"
        );
        let url = format!("{}/items/{id}", app.settings.public_url);
        assert_eq!(prop(event, "URL"), url);
        let description = prop(event, "DESCRIPTION");
        let problem = shortcoming["text"].as_str().unwrap();
        assert!(
            description.starts_with(&format!(
                "存在问题：{}\\n",
                problem.replace(',', "\\,").replace(';', "\\;")
            )),
            "{description}"
        );
        assert!(description.contains("当前状态：已交办\\n"), "{description}");
        assert!(
            description.ends_with(&format!("查看事项：{url}")),
            "{description}"
        );
        assert!(
            event.contains(&"BEGIN:VALARM".to_owned())
                && event.contains(&"ACTION:DISPLAY".to_owned())
        );
        assert!(prop(event, "DTSTAMP").ends_with('Z'));
    }
);

store_test!(
    a_revoked_feed_is_gone_and_only_its_owner_or_an_admin_revokes_it,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let first = create_feed(&app, &c.leader_token).await;
        assert_eq!(get(&app, &first.path).await.status(), 200);

        // Someone else's feed: refused, and nothing changes.
        for stranger in [
            &c.other_leader_token,
            &c.responsible_token,
            &c.coordinator,
            &c.supervisor,
        ] {
            assert_eq!(
                app.code_as(Some(stranger), REVOKE_FEED, json!({ "id": first.id }))
                    .await,
                "FORBIDDEN"
            );
        }
        let listed = app.ok_as(&c.leader_token, FEEDS, json!({})).await;
        assert_eq!(listed["calendarFeeds"][0]["id"], json!(first.id));
        assert_eq!(listed["calendarFeeds"][0]["revokedAt"], Value::Null);
        assert_eq!(get(&app, &first.path).await.status(), 200, "still served");
        assert_eq!(
            app.ok_as(&c.other_leader_token, FEEDS, json!({})).await["calendarFeeds"],
            json!([]),
            "another person's feeds are not listed"
        );

        // The owner revokes: a bare 404 from then on; revoking again changes nothing.
        let revoked = app
            .ok_as(&c.leader_token, REVOKE_FEED, json!({ "id": first.id }))
            .await;
        let revoked_at = revoked["revokeCalendarFeed"]["revokedAt"].clone();
        assert!(revoked_at.is_string());
        let gone = get(&app, &first.path).await;
        assert_eq!(gone.status(), 404);
        assert_eq!(gone.text().await.unwrap(), "", "no hint why");
        let again = app
            .ok_as(&c.leader_token, REVOKE_FEED, json!({ "id": first.id }))
            .await;
        assert_eq!(again["revokeCalendarFeed"]["revokedAt"], revoked_at);

        // An admin revokes anyone's; other feeds of the person keep working.
        let second = create_feed(&app, &c.leader_token).await;
        let third = create_feed(&app, &c.leader_token).await;
        app.ok(REVOKE_FEED, json!({ "id": second.id })).await;
        assert_eq!(get(&app, &second.path).await.status(), 404);
        assert_eq!(get(&app, &third.path).await.status(), 200);
        let listed = app.ok_as(&c.leader_token, FEEDS, json!({})).await["calendarFeeds"].clone();
        let ids: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [&third.id, &second.id, &first.id], "newest first");
        assert!(listed[0]["revokedAt"].is_null() && listed[1]["revokedAt"].is_string());

        // Anything but a live feed's token is the same 404.
        let unknown = format!("/calendar/cal_{}.ics", "0".repeat(64));
        let api_token = format!("/calendar/{}.ics", c.leader_token);
        let no_suffix = format!("/calendar/{}", third.token);
        for path in [
            unknown.as_str(),
            api_token.as_str(),
            no_suffix.as_str(),
            "/calendar/.ics",
        ] {
            let response = get(&app, path).await;
            assert_eq!(response.status(), 404, "{path}");
            assert_eq!(response.text().await.unwrap(), "");
        }
        assert_eq!(
            app.code_as(
                Some(&c.leader_token),
                REVOKE_FEED,
                json!({ "id": uuid::Uuid::now_v7().to_string() })
            )
            .await,
            "NOT_FOUND"
        );
    }
);

store_test!(
    only_a_signed_in_account_acting_for_a_person_gets_a_feed,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        assert_eq!(
            app.code_as(None, CREATE_FEED, json!({})).await,
            "UNAUTHENTICATED"
        );
        assert_eq!(app.code_as(None, FEEDS, json!({})).await, "UNAUTHENTICATED");
        // Admins, supervisors and coordinators here act for no person: nothing to show.
        for token in [&app.admin_token, &c.supervisor, &c.coordinator] {
            let response = app.graphql_as(Some(token), CREATE_FEED, json!({})).await;
            assert_eq!(response["errors"][0]["extensions"]["code"], "FORBIDDEN");
            assert!(
                response["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("未对应任何人员"),
                "{response:#}"
            );
            assert_eq!(
                app.ok_as(token, FEEDS, json!({})).await["calendarFeeds"],
                json!([])
            );
        }
        let feed = create_feed(&app, &c.responsible_token).await;
        assert_eq!(
            app.code_as(None, REVOKE_FEED, json!({ "id": feed.id }))
                .await,
            "UNAUTHENTICATED"
        );
        // Stored only as a digest.
        assert!(
            app.store
                .active_calendar_feed(&feed.token)
                .await
                .unwrap()
                .is_none()
        );
        let digest = rectify::service::auth::token_digest(&feed.token);
        assert!(
            app.store
                .active_calendar_feed(&digest)
                .await
                .unwrap()
                .is_some()
        );
    }
);

/// Parses `ics` with Python's `icalendar` (an independent, widely used parser) and answers
/// what it found: the calendar name, its zone ids, and its events' summaries.
fn parsed_by_icalendar(ics: &str) -> Value {
    use std::io::Write as _;
    let script = r#"
import json, sys
import icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
assert cal.name == "VCALENDAR", cal.name
zones = [z for z in cal.walk("VTIMEZONE")]
for z in zones:
    z.to_tz()  # a usable zone, or this raises
print(json.dumps({
    "name": str(cal.get("X-WR-CALNAME")),
    "components": [c.name for c in cal.subcomponents],
    "zones": [str(z["TZID"]) for z in zones],
    "events": [str(e["SUMMARY"]) for e in cal.walk("VEVENT")],
}))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (with `pip install icalendar`)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar refused the feed (is it installed? `pip install icalendar`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

store_test!(
    an_empty_feed_is_a_calendar_clients_accept,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let feed = create_feed(&app, &c.other_leader_token).await;
        let text = ics(&app, &feed).await;
        let parsed = parsed_by_icalendar(&text);
        assert_eq!(parsed["name"], "整改时限 – 王副局长");
        assert_eq!(parsed["components"], json!(["VTIMEZONE"]), "{text}");
        assert_eq!(parsed["zones"], json!(["Asia/Shanghai"]));
        assert_eq!(parsed["events"], json!([]));

        // With an item, the zone stays and the event comes after it.
        let id = crate::workflow::new_item(&app, &c.dept, "有期限的事项").await;
        assign_to(
            &app,
            &c.coordinator,
            &id,
            ("leadPersonId", &c.other_leader),
            "2027-12-31",
        )
        .await;
        let parsed = parsed_by_icalendar(&ics(&app, &feed).await);
        assert_eq!(parsed["components"], json!(["VTIMEZONE", "VEVENT"]));
        assert_eq!(parsed["events"], json!(["【整改时限】有期限的事项"]));
    }
);
