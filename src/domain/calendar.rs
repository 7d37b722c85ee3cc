//! A person's deadlines (整改时限) as an iCalendar feed (RFC 5545): one all-day event per
//! open item, with an alarm three days before. The calendar always holds the agency's time
//! zone as a VTIMEZONE (with X-WR-TIMEZONE), so that a feed with no open items is still a
//! calendar with a component, as RFC 5545 asks and clients expect. Pure: the caller brings
//! the clock, the zone and the data.

// Hand-written: the subset is small, and the ICS crates at hand add parsers we don't need.

use chrono::{DateTime, Days, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

/// The longest content line, in octets without its CRLF, before it is folded (§3.1).
const MAX_LINE_OCTETS: usize = 75;

/// How long before the due date the calendar program reminds (an ISO 8601 duration).
const ALARM_BEFORE: &str = "-P3D";

/// How often calendar programs should fetch the feed again.
const REFRESH_EVERY: &str = "PT1H";

/// One item's deadline as the feed shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    pub item_id: Uuid,
    pub title: String,
    pub due_on: NaiveDate,
    /// The shortcoming (存在问题) the item rectifies, when it has one.
    pub shortcoming: Option<String>,
    /// The item's state as people read it (e.g. 整改中).
    pub state_label: String,
    /// Where the item opens in the web client.
    pub url: String,
}

/// The feed of `person_name`'s deadlines as ICS text, stamped `now`: CRLF line endings,
/// TEXT values escaped, lines longer than 75 octets folded between characters.
pub fn render_calendar(
    person_name: &str,
    zone: Tz,
    now: DateTime<Utc>,
    deadlines: &[Deadline],
) -> String {
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut ics = Ics::default();
    ics.line("BEGIN:VCALENDAR");
    ics.line("VERSION:2.0");
    ics.line("PRODID:-//rectify//整改时限//ZH");
    ics.line("CALSCALE:GREGORIAN");
    ics.line("METHOD:PUBLISH");
    ics.text("X-WR-CALNAME", &format!("整改时限 – {person_name}"));
    ics.line(&format!("REFRESH-INTERVAL;VALUE=DURATION:{REFRESH_EVERY}"));
    ics.line(&format!("X-PUBLISHED-TTL:{REFRESH_EVERY}"));
    ics.line(&format!("X-WR-TIMEZONE:{}", zone.name()));
    timezone(&mut ics, zone, now);
    for d in deadlines {
        let summary = format!("【整改时限】{}", d.title);
        let mut description = String::new();
        if let Some(shortcoming) = d.shortcoming.as_deref().filter(|s| !s.trim().is_empty()) {
            description.push_str(&format!("存在问题：{shortcoming}\n"));
        }
        description.push_str(&format!("当前状态：{}\n查看事项：{}", d.state_label, d.url));
        // An all-day event ends (exclusively) the next day; the last representable day
        // cannot be a real due date, so it just ends on itself.
        let end = d.due_on.checked_add_days(Days::new(1)).unwrap_or(d.due_on);
        ics.line("BEGIN:VEVENT");
        ics.line(&format!("UID:{}@rectify", d.item_id));
        ics.line(&format!("DTSTAMP:{stamp}"));
        ics.line(&format!("DTSTART;VALUE=DATE:{}", d.due_on.format("%Y%m%d")));
        ics.line(&format!("DTEND;VALUE=DATE:{}", end.format("%Y%m%d")));
        ics.text("SUMMARY", &summary);
        ics.text("DESCRIPTION", &description);
        // A URI, not TEXT: escaping would change it.
        ics.line(&format!("URL:{}", d.url));
        // A deadline is not an appointment: it does not make the person busy.
        ics.line("TRANSP:TRANSPARENT");
        ics.line("BEGIN:VALARM");
        ics.line("ACTION:DISPLAY");
        ics.line(&format!("TRIGGER:{ALARM_BEFORE}"));
        ics.text("DESCRIPTION", &summary);
        ics.line("END:VALARM");
        ics.line("END:VEVENT");
    }
    ics.line("END:VCALENDAR");
    ics.0
}

/// The zone as a VTIMEZONE: its standard time (and its summer time, where it has one this
/// year) from this year's offsets. Deadlines are all-day dates and need no zone; the
/// component names the agency's zone for clients and keeps an empty feed a calendar.
fn timezone(ics: &mut Ics, zone: Tz, now: DateTime<Utc>) {
    use chrono::Datelike;
    let year = now.with_timezone(&zone).year();
    let offset_on = |month: u32| {
        zone.with_ymd_and_hms(year, month, 1, 12, 0, 0)
            .earliest()
            .map(|t| t.offset().fix().local_minus_utc())
    };
    let (january, july) = (offset_on(1).unwrap_or(0), offset_on(7).unwrap_or(0));
    let standard = january.min(july);
    let summer = january.max(july);
    let hhmm = |seconds: i32| {
        let sign = if seconds < 0 { '-' } else { '+' };
        let minutes = seconds.abs() / 60;
        format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
    };
    ics.line("BEGIN:VTIMEZONE");
    ics.line(&format!("TZID:{}", zone.name()));
    ics.line("BEGIN:STANDARD");
    ics.line("DTSTART:19700101T000000");
    ics.line(&format!("TZOFFSETFROM:{}", hhmm(summer)));
    ics.line(&format!("TZOFFSETTO:{}", hhmm(standard)));
    ics.line("END:STANDARD");
    if summer != standard {
        ics.line("BEGIN:DAYLIGHT");
        ics.line("DTSTART:19700101T000000");
        ics.line(&format!("TZOFFSETFROM:{}", hhmm(standard)));
        ics.line(&format!("TZOFFSETTO:{}", hhmm(summer)));
        ics.line("END:DAYLIGHT");
    }
    ics.line("END:VTIMEZONE");
}

/// ICS text being written, one content line at a time.
#[derive(Default)]
struct Ics(String);

impl Ics {
    /// A content line as given, folded.
    fn line(&mut self, line: &str) {
        fold_into(&mut self.0, line);
    }

    /// A property with a TEXT value, escaped and folded.
    fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape_text(value)));
    }
}

/// A TEXT value escaped (§3.3.11): backslash, semicolon, comma and line breaks; other
/// control characters, which TEXT may not hold, are dropped.
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` and its CRLF, folded (§3.1): no physical line longer than 75 octets,
/// continuation lines start with a space, and a break never falls inside a UTF-8 character
/// (a Chinese character is three octets).
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let octets = c.len_utf8();
        if width + octets > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += octets;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn deadline(title: &str, due_on: &str) -> Deadline {
        let item_id = Uuid::parse_str("0190a5c4-0000-7000-8000-000000000001").unwrap();
        Deadline {
            item_id,
            title: title.into(),
            due_on: due_on.parse().unwrap(),
            shortcoming: Some("行政执法人员专业素质有待提升".into()),
            state_label: "整改中".into(),
            url: format!("https://zg.example.gov.cn/items/{item_id}"),
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-03-01T08:30:00Z".parse().unwrap()
    }

    /// The content lines, unfolded.
    fn unfold(ics: &str) -> Vec<String> {
        ics.replace("\r\n ", "")
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn an_item_becomes_an_all_day_event_with_an_alarm_three_days_before() {
        let d = deadline("修订执法案卷标准", "2026-12-31");
        let lines = unfold(&render_calendar(
            "张局长",
            chrono_tz::Asia::Shanghai,
            now(),
            std::slice::from_ref(&d),
        ));
        let expected = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//rectify//整改时限//ZH",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:整改时限 – 张局长",
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
            "X-PUBLISHED-TTL:PT1H",
            "X-WR-TIMEZONE:Asia/Shanghai",
            "BEGIN:VTIMEZONE",
            "TZID:Asia/Shanghai",
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            "TZOFFSETFROM:+0800",
            "TZOFFSETTO:+0800",
            "END:STANDARD",
            "END:VTIMEZONE",
            "BEGIN:VEVENT",
            &format!("UID:{}@rectify", d.item_id),
            "DTSTAMP:20260301T083000Z",
            "DTSTART;VALUE=DATE:20261231",
            "DTEND;VALUE=DATE:20270101",
            "SUMMARY:【整改时限】修订执法案卷标准",
            &format!(
                "DESCRIPTION:存在问题：行政执法人员专业素质有待提升\\n当前状态：整改中\\n查看事项：{}",
                d.url
            ),
            &format!("URL:{}", d.url),
            "TRANSP:TRANSPARENT",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "TRIGGER:-P3D",
            "DESCRIPTION:【整改时限】修订执法案卷标准",
            "END:VALARM",
            "END:VEVENT",
            "END:VCALENDAR",
        ];
        assert_eq!(lines, expected);
    }

    #[test]
    fn without_a_shortcoming_the_description_starts_with_the_state() {
        let mut d = deadline("制度建设", "2026-06-30");
        d.shortcoming = None;
        let lines = unfold(&render_calendar(
            "李科长",
            chrono_tz::Asia::Shanghai,
            now(),
            &[d],
        ));
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("DESCRIPTION:当前状态：整改中\\n查看事项：")),
            "{lines:#?}"
        );
    }

    #[test]
    fn an_empty_feed_is_still_a_calendar() {
        let ics = render_calendar("王副局长", chrono_tz::Asia::Shanghai, now(), &[]);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.contains("VEVENT"));
        assert!(
            ics.contains("BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\n"),
            "one component, as RFC 5545 asks: {ics}"
        );
        assert!(ics.contains("X-WR-CALNAME:"));
    }

    #[test]
    fn text_escapes_backslash_semicolon_comma_and_line_breaks() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf\rg"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ng"
        );
        assert_eq!(escape_text("整改，落实；到位"), "整改，落实；到位");
        assert_eq!(escape_text("bell\u{7}\ttab"), "bell\ttab");
    }

    #[test]
    fn a_title_with_separators_and_a_newline_stays_one_escaped_value() {
        let d = deadline("关于“执法,案卷;评查”\n第二行", "2026-12-31");
        let lines = unfold(&render_calendar(
            "张局长",
            chrono_tz::Asia::Shanghai,
            now(),
            &[d],
        ));
        assert!(
            lines.contains(&"SUMMARY:【整改时限】关于“执法\\,案卷\\;评查”\\n第二行".to_owned()),
            "{lines:#?}"
        );
    }

    #[test]
    fn long_chinese_lines_fold_at_75_octets_between_characters() {
        let title = "加强行政执法队伍建设，开展执法人员专业培训和案卷评查，".repeat(4);
        let ics = render_calendar(
            "张局长",
            chrono_tz::Asia::Shanghai,
            now(),
            &[deadline(&title, "2026-12-31")],
        );
        assert!(ics.ends_with("\r\n"));
        let physical: Vec<&str> = ics.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(
            physical
                .iter()
                .all(|l| !l.contains('\n') && !l.contains('\r'))
        );
        assert!(physical.iter().all(|l| l.len() <= MAX_LINE_OCTETS));
        assert!(
            physical.iter().any(|l| l.starts_with(' ')),
            "something folded"
        );
        assert!(
            unfold(&ics).contains(&format!("SUMMARY:【整改时限】{}", escape_text(&title))),
            "the folded summary unfolds to the original"
        );
    }

    #[test]
    fn the_last_representable_day_does_not_overflow() {
        let mut d = deadline("x", "2026-01-01");
        d.due_on = NaiveDate::MAX;
        let ics = render_calendar("x", chrono_tz::Asia::Shanghai, now(), &[d]);
        assert!(ics.contains("DTEND;VALUE=DATE:"));
    }

    proptest! {
        #[test]
        fn any_text_folds_to_short_lines_and_unfolds_to_its_escaped_self(
            name in "\\PC{0,40}",
            title in "[a-z,;\\\\\n 整改落实到位🙂é]{0,200}",
        ) {
            let ics = render_calendar(&name, chrono_tz::Asia::Shanghai, now(), &[deadline(&title, "2026-12-31")]);
            for line in ics.trim_end_matches("\r\n").split("\r\n") {
                prop_assert!(line.len() <= MAX_LINE_OCTETS, "{line:?}");
                prop_assert!(!line.contains('\n') && !line.contains('\r'));
            }
            let lines = unfold(&ics);
            let summary = format!("SUMMARY:【整改时限】{}", escape_text(&title));
            let calname = format!("X-WR-CALNAME:整改时限 – {}", escape_text(&name));
            prop_assert!(lines.contains(&summary));
            prop_assert!(lines.contains(&calname));
        }
    }
}
