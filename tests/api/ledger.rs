//! The 整改台账 ledger through the real server: export (`GET /ledger.xlsx`) read back with
//! calamine, jurisdiction scoping, and the import (`importLedger`) of an edited copy — dry run,
//! all-or-nothing real run, valid rows only, stale versions, malformed files.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};

use crate::{
    helpers::*,
    store_test,
    workflow::{TRANSITION, assign, cast, new_item, version},
};

/// The headers an export writes, in order.
pub const HEADERS: [&str; 22] = [
    "台账编号",
    "问题来源",
    "问题描述",
    "整改类别",
    "整改措施",
    "关联下一年度举措",
    "责任领导",
    "责任单位",
    "配合单位",
    "责任人",
    "完成时限",
    "进展情况",
    "佐证材料",
    "状态",
    "督办等级",
    "验收申请日期",
    "验收人",
    "销号日期",
    "整改结果",
    "是否复发",
    "事项ID",
    "版本",
];

const IMPORT: &str = "mutation($file: Upload!, $dry: Boolean!, $valid: Boolean!) {
  importLedger(file: $file, dryRun: $dry, applyValidRows: $valid) {
    dryRun applied rowsRead unchanged
    changed { row itemId code actions version changes { column from to } }
    rejected { row itemId code column reason } } }";

const ITEM: &str =
    "query($id: ID!) { item(id: $id) { id version state dueOn category measures progress
  leadPerson { id } responsiblePerson { id } history { action payload } } }";

/// A sheet as read back: its header row and data rows.
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Data>>,
}

impl Sheet {
    pub fn col(&self, header: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == header)
            .unwrap_or_else(|| panic!("no column {header}"))
    }

    /// The cell of the row whose 事项ID is `item`.
    pub fn cell(&self, item: &str, header: &str) -> &Data {
        let row = self.row_of(item);
        &self.rows[row][self.col(header)]
    }

    pub fn row_of(&self, item: &str) -> usize {
        let id = self.col("事项ID");
        self.rows
            .iter()
            .position(|r| r[id] == Data::String(item.to_owned()))
            .unwrap_or_else(|| panic!("no row for item {item}"))
    }

    /// The item ids listed, in order.
    pub fn item_ids(&self) -> Vec<String> {
        let id = self.col("事项ID");
        self.rows.iter().map(|r| r[id].to_string()).collect()
    }

    /// Sets a cell of `item`'s row.
    pub fn set(&mut self, item: &str, header: &str, value: Data) {
        let (row, col) = (self.row_of(item), self.col(header));
        self.rows[row][col] = value;
    }
}

/// Parses an exported workbook's 整改台账 sheet.
pub fn parse(bytes: &[u8]) -> Sheet {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an xlsx workbook");
    assert_eq!(workbook.sheet_names()[0], "整改台账");
    let range = workbook
        .worksheet_range("整改台账")
        .expect("the ledger sheet");
    assert_eq!(range.start(), Some((0, 0)), "the header is the first row");
    let mut rows = range.rows().map(<[Data]>::to_vec);
    let headers = rows
        .next()
        .expect("a header row")
        .iter()
        .map(|d| d.to_string())
        .collect();
    Sheet {
        headers,
        rows: rows.collect(),
    }
}

/// Writes `sheet` as a workbook the way a person saving it from Excel would: texts, numbers
/// and real dates.
pub fn write(sheet: &Sheet) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name("整改台账").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in sheet.headers.iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Data::String(s) => {
                    ws.write_string(r, c, s).unwrap();
                }
                Data::Float(f) => {
                    ws.write_number(r, c, *f).unwrap();
                }
                Data::Int(i) => {
                    ws.write_number(r, c, *i as f64).unwrap();
                }
                Data::DateTime(d) => {
                    let d = ExcelDateTime::from_serial_datetime(d.as_f64()).unwrap();
                    ws.write_datetime_with_format(r, c, d, &date).unwrap();
                }
                Data::Empty => {}
                other => panic!("unexpected cell {other:?}"),
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// A date cell as Excel stores it.
fn date(y: u16, m: u8, d: u8) -> Data {
    let serial = ExcelDateTime::from_ymd(y, m, d).unwrap().to_excel();
    Data::DateTime(calamine::ExcelDateTime::new(
        serial,
        calamine::ExcelDateTimeType::DateTime,
        false,
    ))
}

/// The frozen pane of the first sheet, from its XML (calamine does not read panes).
fn pane(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let start = xml.find("<pane ").expect("a pane");
    xml[start..start + xml[start..].find("/>").unwrap()].to_owned()
}

/// `GET /ledger.xlsx` as `token`.
pub async fn export(
    app: &TestApp,
    token: Option<&str>,
    agency: &str,
    scope: &str,
) -> reqwest::Response {
    client_with(token)
        .get(app.url(&format!("/ledger.xlsx?agency={agency}&scope={scope}")))
        .send()
        .await
        .expect("the server answers")
}

/// Exports and parses, as `token`; the export must succeed.
pub async fn exported(app: &TestApp, token: &str, agency: &str, scope: &str) -> (Vec<u8>, Sheet) {
    let response = export(app, Some(token), agency, scope).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let bytes = response.bytes().await.unwrap().to_vec();
    let sheet = parse(&bytes);
    (bytes, sheet)
}

/// Uploads `bytes` to `importLedger` as `token`; returns the whole response.
pub async fn import(app: &TestApp, token: &str, bytes: Vec<u8>, dry: bool, valid: bool) -> Value {
    import_as(app, Some(token), bytes, dry, valid).await
}

/// [`import`] as `token`, or anonymously.
pub async fn import_as(
    app: &TestApp,
    token: Option<&str>,
    bytes: Vec<u8>,
    dry: bool,
    valid: bool,
) -> Value {
    let operations = json!({
        "query": IMPORT,
        "variables": { "file": null, "dry": dry, "valid": valid }
    });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.file"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes).file_name("整改台账.xlsx"),
        );
    client_with(token)
        .post(app.url("/graphql"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn item(app: &TestApp, id: &str) -> Value {
    app.ok(ITEM, json!({ "id": id })).await["item"].clone()
}

store_test!(
    the_ledger_lists_each_item_with_chinese_headers_real_dates_and_a_frozen_header,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let assigned = new_item(&app, &c.dept, "执法案卷质量参差不齐").await;
        assign(&app, &c, &assigned, "2026-12-31").await;
        let fresh = new_item(&app, &c.dept, "普法形式较为单一").await;
        new_item(&app, &c.other_city, "另一市的问题").await;
        // Due in two days (黄) and overdue (红), in the agency's time zone.
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive();
        let soon = new_item(&app, &c.dept, "两天后到期").await;
        assign(
            &app,
            &c,
            &soon,
            &(today + chrono::Duration::days(2)).to_string(),
        )
        .await;
        let late = new_item(&app, &c.dept, "已逾期").await;
        assign(
            &app,
            &c,
            &late,
            &(today - chrono::Duration::days(1)).to_string(),
        )
        .await;

        let response = export(&app, Some(&app.admin_token), &c.dept, "agency").await;
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(
            headers["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.contains("filename*=UTF-8''%E6%9F%90%E5%B8%82%E5%8F%B8%E6%B3%95%E5%B1%80"),
            "the Chinese file name (某市司法局…), RFC 5987-encoded: {disposition}"
        );
        let bytes = response.bytes().await.unwrap().to_vec();
        let sheet = parse(&bytes);
        assert_eq!(sheet.headers, HEADERS);
        assert_eq!(
            sheet.item_ids(),
            vec![assigned.clone(), fresh.clone(), soon.clone(), late.clone()],
            "one row per item of the agency, no other agency's"
        );

        // Dates are date cells, not text.
        match sheet.cell(&assigned, "完成时限") {
            Data::DateTime(d) => {
                assert!(d.is_datetime());
                let (y, m, day, ..) = d.to_ymd_hms_milli();
                assert_eq!((y, m, day), (2026, 12, 31));
            }
            other => panic!("完成时限 is not a date cell: {other:?}"),
        }
        assert_eq!(sheet.cell(&fresh, "完成时限"), &Data::Empty);
        assert_eq!(
            sheet.cell(&assigned, "状态"),
            &Data::String("已交办".into())
        );
        assert_eq!(sheet.cell(&fresh, "状态"), &Data::String("待交办".into()));
        assert_eq!(
            sheet.cell(&assigned, "整改类别"),
            &Data::String("限期整改".into())
        );
        assert_eq!(
            sheet.cell(&assigned, "责任领导"),
            &Data::String("张局长（副局长）".into())
        );
        assert_eq!(
            sheet.cell(&assigned, "责任单位"),
            &Data::String("某市司法局".into())
        );
        assert_eq!(
            sheet.cell(&assigned, "问题来源"),
            &Data::String("法治督察：法治督察反馈意见 〔2026〕3号".into())
        );
        assert_eq!(sheet.cell(&assigned, "版本"), &Data::Float(2.0));
        assert_eq!(sheet.cell(&fresh, "版本"), &Data::Float(1.0));
        // 督办等级 as the service derives it: the same as the item's escalationLevel.
        for (id, level) in [(&soon, 2.0), (&late, 3.0), (&fresh, 0.0)] {
            assert_eq!(sheet.cell(id, "督办等级"), &Data::Float(level), "{id}");
        }
        for id in [&assigned, &fresh, &soon, &late] {
            let graphql = app
                .ok(
                    "query($id: ID!) { item(id: $id) { escalationLevel } }",
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(
                Data::Float(graphql["item"]["escalationLevel"].as_f64().unwrap()),
                *sheet.cell(id, "督办等级")
            );
        }

        let pane = pane(&bytes);
        assert!(pane.contains(r#"ySplit="1""#), "{pane}");
        assert!(pane.contains(r#"state="frozen""#), "{pane}");
    }
);

store_test!(
    the_ledger_prints_on_a4_landscape_one_page_wide_and_offers_the_categories_as_a_list,
    |backend| async move {
        use crate::xml_parts::{elements, named, part};
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let long = new_item(&app, &c.dept, &"行政执法案卷质量参差不齐，".repeat(12)).await;
        assign(&app, &c, &long, "2026-12-31").await;
        let short = new_item(&app, &c.dept, "短").await;
        let (bytes, sheet) = exported(&app, &c.coordinator, &c.dept, "agency").await;

        let xml = elements(&part(&bytes, "xl/worksheets/sheet1.xml"));
        let setup = named(&xml, "pageSetup");
        assert_eq!(setup.len(), 1);
        assert_eq!(setup[0].attr("paperSize"), Some("9"), "A4");
        assert_eq!(setup[0].attr("orientation"), Some("landscape"));
        assert_eq!(
            setup[0].attr("fitToWidth"),
            None,
            "1 (the default) page wide"
        );
        assert_eq!(
            setup[0].attr("fitToHeight"),
            Some("0"),
            "as many pages tall as needed"
        );
        let fit = named(&xml, "pageSetUpPr");
        assert_eq!(fit[0].attr("fitToPage"), Some("1"));
        let margins = named(&xml, "pageMargins");
        assert_eq!(margins.len(), 1);
        for side in ["left", "right", "top", "bottom"] {
            let m: f64 = margins[0].attr(side).unwrap().parse().unwrap();
            assert!((0.3..=1.0).contains(&m), "{side} {m}");
        }
        assert!(
            named(&xml, "oddFooter")[0].text.contains("&P"),
            "page numbers in the footer"
        );
        // The header row repeats on every printed page.
        let book = elements(&part(&bytes, "xl/workbook.xml"));
        let titles = named(&book, "definedName")
            .into_iter()
            .find(|d| d.attr("name") == Some("_xlnm.Print_Titles"))
            .expect("print titles");
        assert_eq!(titles.text, "整改台账!$1:$1");

        // 整改类别 offers its three values.
        let category_col = sheet.col("整改类别");
        let letter = (b'A' + category_col as u8) as char;
        let validations = named(&xml, "dataValidation");
        let category = validations
            .iter()
            .find(|v| {
                v.attr("sqref")
                    .is_some_and(|r| r.starts_with(&format!("{letter}2")))
            })
            .expect("a validation on 整改类别");
        assert_eq!(category.attr("type"), Some("list"));
        let formula = named(&xml, "formula1")
            .first()
            .map(|f| f.text.clone())
            .unwrap();
        assert_eq!(formula, "\"立行立改,限期整改,长期坚持\"");
        assert!(
            validations.iter().any(|v| v.attr("type") == Some("date")),
            "完成时限 takes a date"
        );

        // The long row is tall enough to show its wrapped text; a short row keeps the default.
        let row_of = |id: &str| (sheet.row_of(id) + 2).to_string();
        let rows = named(&xml, "row");
        let height = |r: String| {
            rows.iter()
                .find(|e| e.attr("r") == Some(r.as_str()))
                .and_then(|e| e.attr("ht"))
                .map(|h| h.parse::<f64>().unwrap())
        };
        let tall = height(row_of(&long)).expect("a set height");
        assert!(tall >= 4.0 * 15.0, "{tall}");
        let short = height(row_of(&short)).unwrap_or(15.0);
        assert!(short < tall, "a short row stays short: {short} < {tall}");

        // 填写说明 wraps, and prints the same way.
        let notes = elements(&part(&bytes, "xl/worksheets/sheet2.xml"));
        assert_eq!(
            named(&notes, "pageSetup")[0].attr("orientation"),
            Some("landscape")
        );
        let styles = elements(&part(&bytes, "xl/styles.xml"));
        assert!(
            named(&styles, "alignment")
                .iter()
                .any(|a| a.attr("wrapText") == Some("1")),
            "a wrapped style"
        );
        let tall_notes = named(&notes, "row")
            .iter()
            .filter(|r| {
                r.attr("ht")
                    .is_some_and(|h| h.parse::<f64>().unwrap() > 15.0)
            })
            .count();
        assert!(tall_notes >= 2, "long lines get the rows they need");
    }
);

store_test!(
    a_jurisdiction_ledger_includes_the_agencies_beneath_and_nobody_exports_anothers,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let city_item = new_item(&app, &c.city, "市政府本级问题").await;
        let dept_item = new_item(&app, &c.dept, "司法局问题").await;
        let other = new_item(&app, &c.other_city, "另一市问题").await;

        let (_, own) = exported(&app, &c.supervisor, &c.city, "agency").await;
        assert_eq!(own.item_ids(), vec![city_item.clone()]);
        let (_, all) = exported(&app, &c.supervisor, &c.city, "jurisdiction").await;
        assert_eq!(all.item_ids(), vec![city_item.clone(), dept_item.clone()]);
        assert!(!all.item_ids().contains(&other));

        // A coordinator reaches its own agency only: its jurisdiction ledger is that agency.
        let (_, dept) = exported(&app, &c.coordinator, &c.dept, "jurisdiction").await;
        assert_eq!(dept.item_ids(), vec![dept_item.clone()]);

        for (token, agency, status, code) in [
            (Some(c.other_supervisor.as_str()), &c.city, 403, "FORBIDDEN"),
            (Some(c.other_supervisor.as_str()), &c.dept, 403, "FORBIDDEN"),
            (Some(c.coordinator.as_str()), &c.city, 403, "FORBIDDEN"),
            (
                Some(c.other_coordinator.as_str()),
                &c.dept,
                403,
                "FORBIDDEN",
            ),
            (None, &c.dept, 401, "UNAUTHENTICATED"),
        ] {
            let response = export(&app, token, agency, "jurisdiction").await;
            assert_eq!(response.status(), status);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["errors"][0]["extensions"]["code"], code);
        }
        let bad = export(&app, Some(&app.admin_token), "not-an-id", "agency").await;
        assert_eq!(bad.status(), 400);
        let bad = export(&app, Some(&app.admin_token), &c.dept, "everything").await;
        assert_eq!(bad.status(), 400);
        let missing = export(
            &app,
            Some(&app.admin_token),
            &uuid::Uuid::now_v7().to_string(),
            "agency",
        )
        .await;
        assert_eq!(missing.status(), 404);
    }
);

store_test!(
    an_edited_ledger_is_dry_run_then_applied_through_the_workflow_in_one_go,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        // to_assign: 待交办, gets a leader and a due date in the sheet.
        let to_assign = new_item(&app, &c.dept, "执法人员专业素质有待提升").await;
        // working: 整改中, gets new progress.
        let working = new_item(&app, &c.dept, "普法针对性不强").await;
        assign(&app, &c, &working, "2026-10-31").await;
        app.ok_as(
            &c.leader_token,
            TRANSITION,
            json!({ "id": working, "action": "accept",
            "measures": "开展专项培训", "v": version(&app, &working).await }),
        )
        .await;
        // waiting: 已交办, progress cannot be reported before acceptance.
        let waiting = new_item(&app, &c.dept, "制度建设滞后").await;
        assign(&app, &c, &waiting, "2026-09-30").await;
        let unknown_leader = new_item(&app, &c.dept, "责任领导填错").await;
        let bad_date = new_item(&app, &c.dept, "时限填错").await;
        let untouched = new_item(&app, &c.dept, "未修改").await;
        let stale = new_item(&app, &c.dept, "导出后被改").await;
        // half: assigned by the row, then its measures refused (a coordinator does not
        // accept): the whole row is undone, its assignment too.
        let half = new_item(&app, &c.dept, "半途而废").await;
        let outsider = new_item(&app, &c.other_city, "外单位事项").await;

        let (_, mut sheet) = exported(&app, &app.admin_token, &c.dept, "agency").await;
        let (_, other_sheet) = exported(&app, &app.admin_token, &c.other_city, "agency").await;
        sheet.rows.push(other_sheet.rows[0].clone());
        let mut ghost = sheet.rows[0].clone();
        let id_col = sheet.col("事项ID");
        ghost[id_col] = Data::String(uuid::Uuid::now_v7().to_string());
        sheet.rows.push(ghost);

        sheet.set(&to_assign, "责任领导", Data::String("张局长".into()));
        sheet.set(
            &to_assign,
            "责任人",
            Data::String("李科长（副局长）".into()),
        );
        sheet.set(&to_assign, "配合单位", Data::String("某市人民政府".into()));
        sheet.set(&to_assign, "完成时限", date(2026, 12, 31));
        sheet.set(
            &working,
            "进展情况",
            Data::String("已完成第一轮培训，覆盖120人".into()),
        );
        sheet.set(
            &waiting,
            "进展情况",
            Data::String("尚未签收就报进展".into()),
        );
        sheet.set(&unknown_leader, "责任领导", Data::String("查无此人".into()));
        sheet.set(&unknown_leader, "完成时限", date(2026, 12, 31));
        sheet.set(&bad_date, "责任领导", Data::String("张局长".into()));
        sheet.set(&bad_date, "完成时限", Data::String("明年年底".into()));
        sheet.set(&stale, "责任领导", Data::String("张局长".into()));
        sheet.set(&stale, "完成时限", date(2026, 11, 30));
        sheet.set(&half, "责任领导", Data::String("张局长".into()));
        sheet.set(&half, "完成时限", date(2026, 12, 31));
        sheet.set(&half, "整改措施", Data::String("联络员代写的措施".into()));
        sheet.set(&outsider, "进展情况", Data::String("越权修改".into()));
        // Read-only columns are ignored.
        sheet.set(&untouched, "状态", Data::String("已销号".into()));
        let file = write(&sheet);

        // Someone changes `stale` after the export.
        app.ok_as(
            &c.supervisor,
            TRANSITION,
            json!({ "id": stale, "action": "urge", "comment": "请尽快交办", "v": 1 }),
        )
        .await;
        let before: Vec<Value> = {
            let mut v = Vec::new();
            for id in [
                &to_assign,
                &working,
                &waiting,
                &unknown_leader,
                &bad_date,
                &untouched,
                &stale,
                &half,
            ] {
                v.push(item(&app, id).await);
            }
            v
        };

        // Dry run: every change and every rejection, nothing written.
        let dry = import(&app, &c.coordinator, file.clone(), true, false).await;
        assert!(dry.get("errors").is_none(), "{dry:#}");
        let r = &dry["data"]["importLedger"];
        assert_eq!(r["dryRun"], true);
        assert_eq!(r["applied"], false);
        assert_eq!(r["rowsRead"], 10);
        assert_eq!(r["unchanged"], 1, "{r:#}");
        let changed = r["changed"].as_array().unwrap();
        let changed_ids: Vec<&str> = changed
            .iter()
            .map(|c| c["itemId"].as_str().unwrap())
            .collect();
        assert_eq!(
            changed_ids,
            vec![to_assign.as_str(), working.as_str()],
            "{r:#}"
        );
        assert_eq!(changed[0]["actions"], json!(["assign"]));
        assert_eq!(changed[0]["version"], 2);
        let fields: Vec<(&str, &str, &str)> = changed[0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["column"].as_str().unwrap(),
                    f["from"].as_str().unwrap(),
                    f["to"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            fields,
            vec![
                ("责任领导", "", "张局长"),
                ("配合单位", "", "某市人民政府"),
                ("责任人", "", "李科长（副局长）"),
                ("完成时限", "", "2026-12-31"),
            ]
        );
        assert_eq!(
            changed[0]["row"], 2,
            "Excel's row number (the header is row 1)"
        );
        assert_eq!(changed[1]["actions"], json!(["report_progress"]));
        assert_eq!(
            changed[1]["changes"][0]["to"],
            "已完成第一轮培训，覆盖120人"
        );
        let rejected: Vec<(String, String, Value)> = r["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["itemId"].as_str().unwrap_or_default().to_owned(),
                    x["code"].as_str().unwrap().to_owned(),
                    x["column"].clone(),
                )
            })
            .collect();
        let expect = |id: &str, code: &str, column: Value| {
            assert!(
                rejected
                    .iter()
                    .any(|(i, c, col)| i == id && c == code && *col == column),
                "expected {id} rejected with {code} on {column}: {r:#}"
            );
        };
        expect(&waiting, "INVALID_TRANSITION", json!("进展情况"));
        expect(&unknown_leader, "VALIDATION", json!("责任领导"));
        expect(&bad_date, "VALIDATION", json!("完成时限"));
        expect(&stale, "STALE_VERSION", json!("版本"));
        expect(&outsider, "FORBIDDEN", Value::Null);
        expect(&half, "FORBIDDEN", json!("整改措施"));
        assert!(rejected.iter().any(|(_, c, _)| c == "NOT_FOUND"), "{r:#}");
        assert_eq!(rejected.len(), 7, "{r:#}");
        let reasons = r["rejected"].to_string();
        assert!(
            reasons.contains("查无此人"),
            "the reason names what was wrong: {reasons}"
        );
        assert!(reasons.contains("明年年底"), "{reasons}");
        for (id, was) in [
            &to_assign,
            &working,
            &waiting,
            &unknown_leader,
            &bad_date,
            &untouched,
            &stale,
            &half,
        ]
        .iter()
        .zip(&before)
        {
            assert_eq!(&item(&app, id).await, was, "a dry run changed {id}");
        }

        // A real run with rejected rows applies nothing …
        let all_or_nothing = import(&app, &c.coordinator, file.clone(), false, false).await;
        let r = &all_or_nothing["data"]["importLedger"];
        assert_eq!(r["applied"], false, "{r:#}");
        assert_eq!(r["changed"].as_array().unwrap().len(), 2);
        for (id, was) in [&to_assign, &working].iter().zip(&before) {
            assert_eq!(&item(&app, id).await, was, "a refused import changed {id}");
        }

        // … unless asked to apply the valid rows.
        let applied = import(&app, &c.coordinator, file.clone(), false, true).await;
        let r = &applied["data"]["importLedger"];
        assert_eq!(r["applied"], true, "{r:#}");
        assert_eq!(r["rejected"].as_array().unwrap().len(), 7);
        let now = item(&app, &to_assign).await;
        assert_eq!(now["state"], "assigned");
        assert_eq!(now["version"], 2);
        assert_eq!(now["dueOn"], "2026-12-31");
        assert_eq!(now["category"], "TIME_BOUND");
        assert_eq!(now["leadPerson"]["id"], json!(c.leader));
        assert_eq!(now["responsiblePerson"]["id"], json!(c.responsible));
        let last = now["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "assign");
        let payload: Value = serde_json::from_str(last["payload"].as_str().unwrap()).unwrap();
        assert_eq!(payload["via"]["source"], "ledger_import");
        assert_eq!(payload["via"]["row"], 2);
        let now = item(&app, &working).await;
        assert_eq!(now["progress"], "已完成第一轮培训，覆盖120人");
        assert_eq!(now["version"], before[1]["version"].as_i64().unwrap() + 1);
        assert_eq!(
            now["history"].as_array().unwrap().last().unwrap()["action"],
            "report_progress"
        );
        for (id, was) in [
            &waiting,
            &unknown_leader,
            &bad_date,
            &untouched,
            &stale,
            &half,
        ]
        .iter()
        .zip(&before[2..])
        {
            assert_eq!(&item(&app, id).await, was, "a rejected row changed {id}");
        }
        let audit = app
            .ok(
                "query($id: ID) { auditVerify(itemId: $id) { ok } }",
                json!({ "id": to_assign }),
            )
            .await;
        assert_eq!(audit["auditVerify"]["ok"], true);

        // The same file again: its versions are now stale for the rows it changed.
        let again = import(&app, &c.coordinator, file, true, false).await;
        let stale_now: Vec<&str> = again["data"]["importLedger"]["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["code"] == "STALE_VERSION")
            .map(|x| x["itemId"].as_str().unwrap())
            .collect();
        assert!(stale_now.contains(&to_assign.as_str()) && stale_now.contains(&working.as_str()));

        // A fresh export imported as is changes nothing.
        let (bytes, _) = exported(&app, &app.admin_token, &c.dept, "agency").await;
        let same = import(&app, &app.admin_token, bytes, false, false).await;
        let r = &same["data"]["importLedger"];
        assert_eq!(r["unchanged"], 8, "{r:#}");
        assert_eq!(r["changed"], json!([]));
        assert_eq!(r["rejected"], json!([]));
        assert_eq!(r["applied"], false);
    }
);

store_test!(
    a_leader_accepts_with_measures_and_reports_progress_from_the_ledger,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "行政复议纠错率偏高").await;
        assign(&app, &c, &id, "2026-12-31").await;
        let (_, mut sheet) = exported(&app, &c.leader_token, &c.dept, "agency").await;
        assert_eq!(
            sheet.item_ids(),
            vec![id.clone()],
            "a leader's ledger lists the items it leads"
        );
        sheet.set(
            &id,
            "整改措施",
            Data::String("一是建立案件质量评查制度\n二是每季度通报".into()),
        );
        sheet.set(&id, "进展情况", Data::String("评查制度已印发".into()));
        let result = import(&app, &c.leader_token, write(&sheet), false, false).await;
        let r = &result["data"]["importLedger"];
        assert_eq!(r["applied"], true, "{result:#}");
        assert_eq!(
            r["changed"][0]["actions"],
            json!(["accept", "report_progress"])
        );
        assert_eq!(r["changed"][0]["version"], 4);
        let now = item(&app, &id).await;
        assert_eq!(now["state"], "in_progress");
        assert_eq!(now["measures"], "一是建立案件质量评查制度\n二是每季度通报");
        assert_eq!(now["progress"], "评查制度已印发");
        let actions: Vec<&str> = now["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            vec!["create", "assign", "accept", "report_progress"]
        );

        // A leader may not reassign: the row is refused by the workflow, nothing written.
        let (_, mut sheet) = exported(&app, &c.leader_token, &c.dept, "agency").await;
        sheet.set(&id, "完成时限", date(2027, 6, 30));
        let refused = import(&app, &c.leader_token, write(&sheet), false, false).await;
        let r = &refused["data"]["importLedger"];
        assert_eq!(r["applied"], false);
        assert_eq!(r["rejected"][0]["code"], "FORBIDDEN", "{r:#}");
        assert_eq!(item(&app, &id).await["dueOn"], "2026-12-31");
    }
);

store_test!(
    malformed_ledgers_are_refused_with_a_stable_code_and_nothing_is_written,
    |backend| async move {
        let app = spawn_app_with(backend, |s| {
            s.limits.max_upload_bytes = 64 * 1024;
        })
        .await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "问题").await;
        let code = |v: &Value| {
            v["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("OK")
                .to_owned()
        };

        let text = import(
            &app,
            &app.admin_token,
            "台账编号,事项ID\n1,2\n".as_bytes().to_vec(),
            true,
            false,
        )
        .await;
        assert_eq!(code(&text), "UNSUPPORTED_TYPE", "{text:#}");

        let mut workbook = Workbook::new();
        let ws = workbook.add_worksheet();
        ws.write_string(0, 0, "序号").unwrap();
        ws.write_string(0, 1, "问题描述").unwrap();
        ws.write_string(1, 0, "1").unwrap();
        let headless = import(
            &app,
            &app.admin_token,
            workbook.save_to_buffer().unwrap(),
            false,
            false,
        )
        .await;
        assert_eq!(code(&headless), "VALIDATION", "{headless:#}");
        assert!(
            headless["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("事项ID")
        );

        let mut workbook = Workbook::new();
        let ws = workbook.add_worksheet();
        ws.write_string(0, 0, "事项ID").unwrap();
        ws.write_string(1, 0, id.as_str()).unwrap();
        let versionless = import(
            &app,
            &app.admin_token,
            workbook.save_to_buffer().unwrap(),
            false,
            false,
        )
        .await;
        assert_eq!(code(&versionless), "VALIDATION", "{versionless:#}");
        assert!(
            versionless["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("版本")
        );

        let oversized = import(&app, &app.admin_token, vec![b'x'; 100 * 1024], false, false).await;
        assert_eq!(code(&oversized), "PAYLOAD_TOO_LARGE", "{oversized:#}");

        assert_eq!(version(&app, &id).await, 1, "nothing was written");
    }
);

store_test!(
    workbooks_reaching_far_or_unpacking_huge_are_refused_before_they_are_read,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let code = |v: &Value| {
            v["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("OK")
                .to_owned()
        };
        // Two cells, A1 and XFD1048576: a dense grid out to the second would be 549 GB.
        for (row, col) in [(1_048_575, 16_383), (1_048_575, 49), (2, 200)] {
            let mut workbook = Workbook::new();
            let ws = workbook.add_worksheet();
            ws.write_string(0, 0, "事项ID").unwrap();
            ws.write_string(0, 1, "版本").unwrap();
            ws.write_string(row, col, "x").unwrap();
            let far = import(
                &app,
                &c.responsible_token,
                workbook.save_to_buffer().unwrap(),
                true,
                false,
            )
            .await;
            assert_eq!(code(&far), "PAYLOAD_TOO_LARGE", "{far:#}");
            assert!(
                far["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("超出台账范围"),
                "{far:#}"
            );
        }

        // A workbook with a part that unpacks to 64 MiB of zeros (about 64 KB packed).
        let mut workbook = Workbook::new();
        let ws = workbook.add_worksheet();
        ws.write_string(0, 0, "事项ID").unwrap();
        ws.write_string(0, 1, "版本").unwrap();
        let valid = workbook.save_to_buffer().unwrap();
        let mut source = zip::ZipArchive::new(Cursor::new(valid)).unwrap();
        let mut packed = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..source.len() {
            packed.raw_copy_file(source.by_index(i).unwrap()).unwrap();
        }
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        packed.start_file("xl/media/bomb.bin", deflated).unwrap();
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..64 {
            std::io::Write::write_all(&mut packed, &zeros).unwrap();
        }
        let bomb = packed.finish().unwrap().into_inner();
        assert!(bomb.len() < 1024 * 1024, "the bomb is small packed");
        let refused = import(&app, &c.responsible_token, bomb, true, false).await;
        assert_eq!(code(&refused), "PAYLOAD_TOO_LARGE", "{refused:#}");

        // The server is still up and answering.
        let me = app.ok("{ me { id } }", json!({})).await;
        assert!(me["me"]["id"].is_string());
    }
);

store_test!(
    a_reported_item_shows_its_report_commitments_evidence_and_closing,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let imported = app
            .ok(
                "mutation($t: String!, $a: ID!) { importReport(input: { text: $t, agencyId: $a }) {
                   shortcomings { item { id code } } } }",
                json!({ "t": crate::access::REPORT, "a": c.dept }),
            )
            .await;
        let first = &imported["importReport"]["shortcomings"][0]["item"];
        let id = first["id"].as_str().unwrap().to_owned();
        let code = first["code"].as_str().unwrap().to_owned();
        assign(&app, &c, &id, "2026-12-31").await;
        app.ok_as(
            &c.leader_token,
            TRANSITION,
            json!({ "id": id, "action": "accept",
            "measures": "开展执法人员专业培训", "v": version(&app, &id).await }),
        )
        .await;
        let bytes = b"%PDF-1.4\n% ledger evidence\n%%EOF\n".to_vec();
        let evidence =
            crate::workflow::upload(&app, &c.responsible_token, &id, "培训通知.pdf", bytes).await;
        let sha = evidence["data"]["addEvidence"]["sha256"]
            .as_str()
            .unwrap()
            .to_owned();
        app.ok_as(
            &c.responsible_token,
            TRANSITION,
            json!({ "id": id, "action": "submit",
            "v": version(&app, &id).await }),
        )
        .await;
        app.ok_as(
            &c.supervisor,
            TRANSITION,
            json!({ "id": id, "action": "verify",
            "outcome": "RECTIFIED", "v": version(&app, &id).await }),
        )
        .await;

        let (_, sheet) = exported(&app, &c.supervisor, &c.city, "jurisdiction").await;
        assert_eq!(sheet.rows.len(), 2, "one row per shortcoming of the report");
        let text = |h: &str| sheet.cell(&id, h).to_string();
        assert_eq!(text("台账编号"), code);
        assert!(
            text("问题来源").starts_with("年度报告："),
            "{}",
            text("问题来源")
        );
        assert!(text("问题来源").contains("2025"), "{}", text("问题来源"));
        assert!(
            text("问题描述").contains("执法人员专业素质有待提升"),
            "{}",
            text("问题描述")
        );
        assert!(
            text("关联下一年度举措").starts_with("举措"),
            "{}",
            text("关联下一年度举措")
        );
        assert!(
            text("关联下一年度举措").contains("（待确认）"),
            "a proposed link is marked until confirmed"
        );
        assert!(
            text("关联下一年度举措").contains("执法队伍"),
            "{}",
            text("关联下一年度举措")
        );
        assert_eq!(text("整改措施"), "开展执法人员专业培训");
        let evidence = text("佐证材料");
        assert!(evidence.starts_with("培训通知.pdf（"), "{evidence}");
        assert!(
            evidence.contains(&format!("SHA-256 {}", &sha[..12])),
            "{evidence}"
        );
        assert_eq!(text("状态"), "已销号");
        assert_eq!(text("整改结果"), "已整改");
        assert_eq!(text("是否复发"), "否");
        assert!(
            text("验收人").contains("@test.local"),
            "the verifying account"
        );
        for header in ["验收申请日期", "销号日期"] {
            assert!(
                matches!(sheet.cell(&id, header), Data::DateTime(d) if d.is_datetime()),
                "{header} is a date cell"
            );
        }
        assert_eq!(
            sheet.cell(&id, "督办等级"),
            &Data::Float(0.0),
            "closed items are not escalated"
        );
    }
);
