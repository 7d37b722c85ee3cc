//! 督办看板: a supervising office's dashboard page — headline figures, items by state, the
//! per-unit table (sorted by any column through the URL), the trend by month and the
//! three-colour board, charts drawn as SVG here. Every number links to the item list
//! filtered to exactly what it counts.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use chrono::Duration;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    Shell, SignedIn,
    charts::{self, HBarChart, TrendChart},
    encode, errors, render,
};
use crate::{
    domain::dashboard::Figures,
    http::AppState,
    service::{
        board::{Board, Levels},
        dashboard::UnitFigures,
    },
};

/// The page's query: which agency, and how the unit table is sorted.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    pub agency: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
}

/// A headline figure.
#[derive(Clone, Debug)]
pub struct Headline {
    pub label: &'static str,
    pub value: String,
    /// What it is, below the value.
    pub note: String,
    pub href: String,
    /// `warn` for figures that call for action.
    pub tone: &'static str,
    /// The number of items the link lists, when the figure is that count (days and rates
    /// are not).
    pub count: Option<u64>,
}

/// A cell of the unit table.
#[derive(Clone, Debug)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub tone: &'static str,
    /// The number of items the link lists, when the cell is that count.
    pub count: Option<u64>,
}

/// A line of the unit table.
#[derive(Clone, Debug)]
pub struct UnitLine {
    pub name: String,
    pub href: String,
    pub cells: Vec<Cell>,
}

/// A column heading: its sort link and whether the table is sorted by it.
#[derive(Clone, Debug)]
pub struct Heading {
    pub label: &'static str,
    pub href: String,
    /// `ascending` / `descending` (aria-sort), or empty.
    pub sorted: &'static str,
}

/// One unit's tile on the three-colour board.
#[derive(Clone, Debug)]
pub struct Tile {
    pub name: String,
    /// (count, link) for 红, 黄, 蓝.
    pub red: (u64, String),
    pub yellow: (u64, String),
    pub blue: (u64, String),
}

/// A month of the trend, in words (the chart's table).
#[derive(Clone, Debug)]
pub struct MonthLine {
    pub month: String,
    pub created: u64,
    pub closed: u64,
    pub due: u64,
    pub due_href: String,
}

/// Another agency the caller may look at.
#[derive(Clone, Debug)]
pub struct RootLink {
    pub name: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "web/dashboard.html", blocks = ["content", "nav"])]
pub struct DashboardPage {
    pub shell: Shell,
    pub agency: String,
    pub as_of: String,
    pub unit_count: usize,
    pub roots: Vec<RootLink>,
    pub headlines: Vec<Headline>,
    pub by_state: HBarChart,
    pub levels_total: Levels,
    pub levels_href: [String; 3],
    pub tiles: Vec<Tile>,
    pub quiet_units: usize,
    pub trend: TrendChart,
    pub months: Vec<MonthLine>,
    pub headings: Vec<Heading>,
    pub lines: Vec<UnitLine>,
    /// The unit table as XLSX, for the 考核 report.
    pub appraisal_href: String,
    pub bar_left: u32,
    pub bar_width: u32,
    pub bar_thickness: u32,
    pub trend_height: u32,
    pub trend_base: u32,
    pub trend_bar: u32,
}
crate::web_page!(DashboardPage);

/// A rate as a percentage, or a dash when there is nothing to divide.
fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// The columns of the unit table: key, heading, and whether it sorts ascending first.
const COLUMNS: &[(&str, &str)] = &[
    ("name", "单位"),
    ("total", "事项"),
    ("open", "未完成"),
    ("overdue", "逾期"),
    ("soon", "7日内到期"),
    ("completion", "整改完成率"),
    ("on_time", "按期完成率"),
    ("overdue_days", "逾期天数"),
    ("rework", "退回"),
    ("extensions", "延期"),
    ("red", "红"),
    ("yellow", "黄"),
    ("blue", "蓝"),
];

/// A unit's value in a numeric column, for sorting.
fn sort_value(key: &str, u: &UnitFigures, levels: Levels) -> f64 {
    let f = &u.figures;
    // Counts are far below 2^52: exact as f64.
    #[allow(clippy::cast_precision_loss)]
    let n = |v: u64| v as f64;
    match key {
        "total" => n(f.total),
        "open" => n(f.open),
        "soon" => n(f.due_within_7_days),
        "completion" => f.completion_rate().unwrap_or(-1.0),
        "on_time" => f.on_time_rate().unwrap_or(-1.0),
        "overdue_days" => n(f.total_overdue_days),
        "rework" => n(u.rework),
        "extensions" => n(u.extensions),
        "red" => n(levels[2]),
        "yellow" => n(levels[1]),
        "blue" => n(levels[0]),
        _ => n(f.overdue),
    }
}

/// The links a set of figures counts, under `base` (an item list's query for its units).
struct Links {
    base: String,
    today: chrono::NaiveDate,
}

impl Links {
    fn with(&self, more: &str) -> String {
        if more.is_empty() {
            format!("/items?{}", self.base)
        } else {
            format!("/items?{}&{more}", self.base)
        }
    }
    fn soon(&self) -> String {
        self.with(&format!(
            "open=1&from={}&to={}",
            self.today,
            self.today + Duration::days(7)
        ))
    }
}

fn unit_cells(f: &Figures, u: &UnitFigures, levels: Levels, links: &Links) -> Vec<Cell> {
    let cell = |text: String, href: Option<String>, tone: &'static str| Cell {
        count: text.parse().ok(),
        text,
        href,
        tone,
    };
    let warn = |n: u64| if n > 0 { "warn" } else { "" };
    vec![
        cell(f.total.to_string(), Some(links.with("")), ""),
        cell(f.open.to_string(), Some(links.with("open=1")), ""),
        cell(
            f.overdue.to_string(),
            Some(links.with("overdue=1")),
            warn(f.overdue),
        ),
        cell(f.due_within_7_days.to_string(), Some(links.soon()), ""),
        cell(
            percent(f.completion_rate()),
            Some(links.with("state=closed")),
            "",
        ),
        cell(
            percent(f.on_time_rate()),
            Some(links.with("state=closed")),
            "",
        ),
        // Days and events, not items: they link to the items they add up over.
        Cell {
            count: None,
            ..cell(
                f.total_overdue_days.to_string(),
                Some(links.with("overdue=1")),
                "",
            )
        },
        Cell {
            count: None,
            ..cell(u.rework.to_string(), Some(links.with("returned=1")), "")
        },
        Cell {
            count: None,
            ..cell(u.extensions.to_string(), Some(links.with("extended=1")), "")
        },
        cell(
            levels[2].to_string(),
            Some(links.with("level=3")),
            if levels[2] > 0 { "red" } else { "" },
        ),
        cell(
            levels[1].to_string(),
            Some(links.with("level=2")),
            if levels[1] > 0 { "yellow" } else { "" },
        ),
        cell(
            levels[0].to_string(),
            Some(links.with("level=1")),
            if levels[0] > 0 { "blue" } else { "" },
        ),
    ]
}

/// GET /dashboard: the office's dashboard.
pub async fn page(
    State(state): State<AppState>,
    signed: SignedIn,
    headers: HeaderMap,
    Query(query): Query<BoardQuery>,
) -> Response {
    let services = &state.services;
    let agency = match query.agency.as_str() {
        "" => None,
        id => match Uuid::parse_str(id) {
            Ok(id) => Some(id),
            Err(_) => return errors::page_for(Some(&signed), &headers, "NOT_FOUND"),
        },
    };
    let board = match services.board(&signed.actor, agency).await {
        Ok(board) => board,
        Err(e) => return errors::service_page(Some(&signed), &headers, &e),
    };
    let page = view(&signed, &board, &query);
    render(&headers, StatusCode::OK, &page)
}

fn view(signed: &SignedIn, board: &Board, query: &BoardQuery) -> DashboardPage {
    let d = &board.dashboard;
    let root = board.agency.id;
    let today = d.scope.as_of();
    let all = Links {
        base: format!("agency={root}&tree=1"),
        today,
    };
    let f = &d.figures;
    let headline = |label, value: String, note: String, href: String, tone| Headline {
        label,
        count: value.parse().ok(),
        value,
        note,
        href,
        tone,
    };
    let measure = |h: Headline| Headline { count: None, ..h };
    let headlines = vec![
        headline(
            "未完成",
            f.open.to_string(),
            format!("共 {} 项事项", f.total),
            all.with("open=1"),
            "",
        ),
        headline(
            "已逾期",
            f.overdue.to_string(),
            "未完成且已过完成时限".into(),
            all.with("overdue=1"),
            if f.overdue > 0 { "warn" } else { "" },
        ),
        headline(
            "7日内到期",
            f.due_within_7_days.to_string(),
            "未完成、7日内到期".into(),
            all.soon(),
            "",
        ),
        headline(
            "整改完成率",
            percent(f.completion_rate()),
            format!("已销号 {} 项", f.closed),
            all.with("state=closed"),
            "",
        ),
        headline(
            "按期完成率",
            percent(f.on_time_rate()),
            format!("按期销号 {} 项", f.closed_on_time),
            all.with("state=closed"),
            "",
        ),
        measure(headline(
            "逾期天数",
            f.total_overdue_days.to_string(),
            match f.average_overdue_days() {
                Some(avg) => format!("平均每项 {avg:.1} 天"),
                None => "没有逾期事项".into(),
            },
            all.with("overdue=1"),
            "",
        )),
        measure(headline(
            "退回重改",
            d.rework.to_string(),
            "验收退回次数".into(),
            all.with("returned=1"),
            "",
        )),
        measure(headline(
            "延期",
            d.extensions.to_string(),
            "批准的延期次数".into(),
            all.with("extended=1"),
            "",
        )),
    ];
    let by_state = charts::hbars(
        d.by_state
            .iter()
            .map(|(state, label, n)| {
                (
                    label.clone(),
                    *n,
                    all.with(&format!("state={}", encode(state))),
                )
            })
            .collect(),
    );
    let unit_links = |id: Uuid| Links {
        base: format!("agency={id}"),
        today,
    };
    let levels_of = |id: &Uuid| board.levels.get(id).copied().unwrap_or_default();
    let name_of = |id: &Uuid| {
        board
            .names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };

    // The board: units with a coloured item, reddest first.
    let mut tiles: Vec<Tile> = d
        .units
        .iter()
        .filter(|u| levels_of(&u.agency_id) != [0; 3])
        .map(|u| {
            let l = levels_of(&u.agency_id);
            let links = unit_links(u.agency_id);
            Tile {
                name: name_of(&u.agency_id),
                red: (l[2], links.with("level=3")),
                yellow: (l[1], links.with("level=2")),
                blue: (l[0], links.with("level=1")),
            }
        })
        .collect();
    tiles.sort_by(|a, b| {
        (b.red.0, b.yellow.0, b.blue.0)
            .cmp(&(a.red.0, a.yellow.0, a.blue.0))
            .then_with(|| a.name.cmp(&b.name))
    });
    let quiet_units = d.units.len() - tiles.len();

    // The unit table, sorted as the URL asks.
    let key = COLUMNS
        .iter()
        .find(|(k, _)| *k == query.sort)
        .map_or("overdue", |(k, _)| *k);
    let ascending = match query.dir.as_str() {
        "asc" => true,
        "desc" => false,
        _ => key == "name",
    };
    let mut units: Vec<&UnitFigures> = d.units.iter().collect();
    units.sort_by(|a, b| {
        let order = if key == "name" {
            name_of(&a.agency_id).cmp(&name_of(&b.agency_id))
        } else {
            sort_value(key, a, levels_of(&a.agency_id)).total_cmp(&sort_value(
                key,
                b,
                levels_of(&b.agency_id),
            ))
        };
        let order = if ascending { order } else { order.reverse() };
        order.then_with(|| name_of(&a.agency_id).cmp(&name_of(&b.agency_id)))
    });
    let here = format!("/dashboard?agency={root}");
    let headings = COLUMNS
        .iter()
        .map(|(k, label)| {
            let current = *k == key;
            // A click on the sorted column turns it round; another column starts with its
            // most telling end (the most, or A to Z for names).
            let dir = match (current, ascending, *k == "name") {
                (true, true, _) => "desc",
                (true, false, _) => "asc",
                (false, _, true) => "asc",
                (false, _, false) => "desc",
            };
            Heading {
                label,
                href: format!("{here}&sort={k}&dir={dir}#units"),
                sorted: match (current, ascending) {
                    (false, _) => "",
                    (true, true) => "ascending",
                    (true, false) => "descending",
                },
            }
        })
        .collect();
    let lines = units
        .into_iter()
        .map(|u| {
            let links = unit_links(u.agency_id);
            UnitLine {
                name: name_of(&u.agency_id),
                href: links.with(""),
                cells: unit_cells(&u.figures, u, levels_of(&u.agency_id), &links),
            }
        })
        .collect();

    let trend_rows: Vec<(String, u64, u64, u64)> = board
        .trend
        .iter()
        .map(|m| (m.month.clone(), m.created, m.closed, m.due))
        .collect();
    let months = board
        .trend
        .iter()
        .map(|m| {
            let first =
                chrono::NaiveDate::parse_from_str(&format!("{}-01", m.month), "%Y-%m-%d").ok();
            let last = first
                .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                .map(|d| d - Duration::days(1));
            MonthLine {
                month: m.month.clone(),
                created: m.created,
                closed: m.closed,
                due: m.due,
                due_href: match (first, last) {
                    (Some(a), Some(b)) => all.with(&format!("from={a}&to={b}")),
                    _ => all.with(""),
                },
            }
        })
        .collect();
    let levels_total = board.total_levels();
    DashboardPage {
        shell: signed.shell("督办看板", "dashboard"),
        agency: board.agency.name.clone(),
        as_of: today.to_string(),
        unit_count: d.scope.agency_count(),
        roots: board
            .roots
            .iter()
            .map(|a| RootLink {
                name: a.name.clone(),
                href: format!("/dashboard?agency={}", a.id),
                current: a.id == root,
            })
            .collect(),
        headlines,
        by_state,
        levels_total,
        levels_href: [
            all.with("level=1"),
            all.with("level=2"),
            all.with("level=3"),
        ],
        tiles,
        quiet_units,
        trend: charts::trend(&trend_rows),
        months,
        headings,
        lines,
        appraisal_href: format!("/appraisal.xlsx?agency={root}"),
        bar_left: charts::HBAR_LEFT,
        bar_width: charts::HBAR_WIDTH,
        bar_thickness: charts::HBAR_THICKNESS,
        trend_height: charts::TREND_HEIGHT,
        trend_base: charts::TREND_BASE,
        trend_bar: charts::TREND_BAR,
    }
}
