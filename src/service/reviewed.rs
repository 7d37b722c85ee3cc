//! A reviewed extraction: the dry run's result as a person corrected it — items removed,
//! merged, split, added or moved between the three lists, metadata fixed, links confirmed or
//! dropped — to be imported exactly as given, without extracting again.
//!
//! Its shape is the dry run's: three lists of items (text and, when the item still stands
//! where the extractor found it, its byte span in the report text), links between a
//! shortcoming and a commitment by their positions in those lists, and the metadata. The
//! command line reads the JSON that `rectify extract --format json` prints (see
//! [`ReviewedExtraction::from_extract_json`]); GraphQL takes `ReviewedExtractionInput`.
//!
//! Everything is checked before anything is written ([`ReviewedExtraction::check`]): bounded
//! counts and lengths, spans inside the text, known sections, links between items that
//! exist. Each refusal has a stable code (`REVIEW_*`) and a message in Chinese.

use chrono::NaiveDate;
use rectify_extract::{Extraction, Item, Link, Period, ReportKind};
use serde_json::Value;

use super::ServiceError;

/// At most this many items in each of the three lists.
pub const MAX_REVIEWED_ITEMS: usize = 500;
/// At most this many links.
pub const MAX_REVIEWED_LINKS: usize = 5_000;
/// At most this many characters in one item.
pub const MAX_ITEM_CHARS: usize = 10_000;
/// At most this many characters in the title.
pub const MAX_TITLE_CHARS: usize = 500;
/// At most this many characters in the agency's name.
pub const MAX_AGENCY_CHARS: usize = 200;
/// The largest reviewed-extraction JSON file the command line reads.
pub const MAX_REVIEWED_JSON_BYTES: usize = 16 * 1024 * 1024;

/// An item as reviewed: its text, and its byte span `[start, end)` in the report text when
/// it has one (an item a person added or rewrote may have none).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReviewedItem {
    pub text: String,
    /// Unchecked: [`ReviewedExtraction::check`] refuses spans outside the text.
    pub span: Option<(i64, i64)>,
}

/// A link a person kept or added: positions (0-based) in the shortcomings and commitments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReviewedLink {
    pub shortcoming: i64,
    pub commitment: i64,
    /// The extractor's relevance score, when the link was proposed by it.
    pub score: Option<f64>,
}

/// The dry run's result, corrected by a person.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReviewedExtraction {
    /// The agency's full name (the import's `agencyId`/`agencyName` take precedence).
    pub agency: Option<String>,
    /// The year reported on (the import's `year` takes precedence).
    pub year: Option<i32>,
    /// `annual` (the default), `first_half` or `second_half`.
    pub period: Option<String>,
    /// `rule_of_law_annual_report`, `work_summary` or `other` (the default).
    pub kind: Option<String>,
    pub title: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub shortcomings: Vec<ReviewedItem>,
    pub commitments: Vec<ReviewedItem>,
    pub previous_rectification: Vec<ReviewedItem>,
    pub links: Vec<ReviewedLink>,
}

fn refuse(code: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Rule {
        code,
        message: message.into(),
    }
}

/// The three lists, by the names the dry run prints, with their Chinese names.
const SECTIONS: [(&str, &str); 3] = [
    ("shortcomings", "存在的问题"),
    ("commitments", "整改措施/下一步安排"),
    ("previous_rectification", "上年度问题整改情况"),
];

/// Fields of `rectify extract --format json` that a reviewed extraction may carry and that
/// are not read back (they describe the extractor's run, not the report).
const IGNORED_FIELDS: [&str; 4] = ["warnings", "confidence", "sections", "spans"];

impl ReviewedExtraction {
    /// Reads the JSON that `rectify extract --format json` prints, as a person edited it.
    ///
    /// Items are strings (as printed) or objects `{"text": …, "span": [start, end]}`; the
    /// printed `spans` lists are read when each has exactly as many entries as its item list
    /// (edit both, or delete `spans` and the items import without spans). Links are
    /// `[shortcoming, commitment]` or `[shortcoming, commitment, score]`, 0-based positions in
    /// the edited lists, as printed. `agency`, `report_year`, `title`, `period`, `kind` and
    /// `published_date` carry the metadata. Any other field is refused.
    pub fn from_extract_json(bytes: &[u8]) -> Result<Self, ServiceError> {
        if bytes.len() > MAX_REVIEWED_JSON_BYTES {
            return Err(ServiceError::TooLarge(format!(
                "核对后的提取结果超过 {} MB（the reviewed extraction is too large)",
                MAX_REVIEWED_JSON_BYTES / 1024 / 1024
            )));
        }
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            refuse(
                "REVIEW_MALFORMED",
                format!(
                    "核对后的提取结果不是有效的 JSON：{e}（the reviewed extraction is not JSON)"
                ),
            )
        })?;
        let Value::Object(map) = value else {
            return Err(malformed("整个文件", "对象 {…}"));
        };
        let mut reviewed = ReviewedExtraction::default();
        let known = [
            "agency",
            "report_year",
            "title",
            "period",
            "kind",
            "published_date",
            "links",
        ];
        for key in map.keys() {
            let key = key.as_str();
            if !known.contains(&key)
                && !IGNORED_FIELDS.contains(&key)
                && !SECTIONS.iter().any(|(name, _)| *name == key)
            {
                return Err(refuse(
                    "REVIEW_UNKNOWN_SECTION",
                    format!(
                        "未知的部分“{}”：条目只能放在 shortcomings（存在的问题）、commitments（整改措施）或 previous_rectification（上年度问题整改情况）中（unknown section)",
                        key.chars().take(40).collect::<String>()
                    ),
                ));
            }
        }
        let string = |key: &str| -> Result<Option<String>, ServiceError> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(malformed(key, "字符串")),
            }
        };
        reviewed.agency = string("agency")?;
        reviewed.title = string("title")?;
        reviewed.period = string("period")?;
        reviewed.kind = string("kind")?;
        reviewed.published_on = string("published_date")?
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                    refuse(
                        "REVIEW_BAD_METADATA",
                        format!(
                            "发布日期“{d}”不是 YYYY-MM-DD 格式的日期（published_date is not a date)"
                        ),
                    )
                })
            })
            .transpose()?;
        reviewed.year = match map.get("report_year") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => Some(
                n.as_i64()
                    .and_then(|y| i32::try_from(y).ok())
                    .ok_or_else(|| malformed("report_year", "年份整数"))?,
            ),
            Some(_) => return Err(malformed("report_year", "年份整数")),
        };
        let spans = map.get("spans");
        for (name, _) in SECTIONS {
            let items = match map.get(name) {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(list)) => {
                    if list.len() > MAX_REVIEWED_ITEMS {
                        return Err(too_many(name, list.len(), MAX_REVIEWED_ITEMS));
                    }
                    let printed = spans
                        .and_then(|s| s.get(name))
                        .and_then(Value::as_array)
                        .filter(|s| s.len() == list.len());
                    if spans.and_then(|s| s.get(name)).is_some() && printed.is_none() {
                        return Err(refuse(
                            "REVIEW_SPANS_MISMATCH",
                            format!(
                                "spans.{name} 的条数与 {name} 的条目数不一致：增删条目时请同时修改 spans，或删去 spans（the spans no longer match the items)"
                            ),
                        ));
                    }
                    list.iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let span = printed.map(|p| &p[i]);
                            item_from_json(name, i, v, span)
                        })
                        .collect::<Result<Vec<_>, _>>()?
                }
                Some(_) => return Err(malformed(name, "条目数组")),
            };
            match name {
                "shortcomings" => reviewed.shortcomings = items,
                "commitments" => reviewed.commitments = items,
                _ => reviewed.previous_rectification = items,
            }
        }
        reviewed.links = match map.get("links") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => {
                if list.len() > MAX_REVIEWED_LINKS {
                    return Err(too_many("links", list.len(), MAX_REVIEWED_LINKS));
                }
                list.iter()
                    .map(|l| {
                        let parts = l.as_array().filter(|a| a.len() == 2 || a.len() == 3);
                        let index = |v: &Value| v.as_i64();
                        match parts {
                            Some(a) => match (index(&a[0]), index(&a[1])) {
                                (Some(s), Some(c)) => Ok(ReviewedLink {
                                    shortcoming: s,
                                    commitment: c,
                                    score: a.get(2).and_then(Value::as_f64),
                                }),
                                _ => Err(malformed("links", "[问题序号, 措施序号] 数组")),
                            },
                            None => Err(malformed("links", "[问题序号, 措施序号] 数组")),
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
            Some(_) => return Err(malformed("links", "数组")),
        };
        Ok(reviewed)
    }

    /// Checks everything against the report's text and turns it into the extraction that
    /// will be imported, as is. Nothing is extracted from the text: it is only where spans
    /// point.
    pub fn check(&self, text: &str) -> Result<Extraction, ServiceError> {
        if let Some(agency) = &self.agency
            && agency.chars().count() > MAX_AGENCY_CHARS
        {
            return Err(too_long("机关名称 agency", MAX_AGENCY_CHARS));
        }
        if let Some(title) = &self.title
            && title.chars().count() > MAX_TITLE_CHARS
        {
            return Err(too_long("标题 title", MAX_TITLE_CHARS));
        }
        if let Some(year) = self.year
            && !(2000..=2100).contains(&year)
        {
            return Err(refuse(
                "REVIEW_BAD_METADATA",
                format!("报告年度 {year} 不在 2000–2100 之间（the year is not plausible)"),
            ));
        }
        let period = match self.period.as_deref().map(str::trim) {
            None | Some("") | Some("annual") => Period::Annual,
            Some("first_half") => Period::FirstHalf,
            Some("second_half") => Period::SecondHalf,
            Some(other) => {
                return Err(refuse(
                    "REVIEW_BAD_METADATA",
                    format!(
                        "报告期间“{}”未知：应为 annual、first_half 或 second_half（unknown period)",
                        other.chars().take(40).collect::<String>()
                    ),
                ));
            }
        };
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") | Some("other") => ReportKind::Other,
            Some("rule_of_law_annual_report") => ReportKind::RuleOfLawAnnualReport,
            Some("work_summary") => ReportKind::WorkSummary,
            Some(other) => {
                return Err(refuse(
                    "REVIEW_BAD_METADATA",
                    format!(
                        "报告类型“{}”未知：应为 rule_of_law_annual_report、work_summary 或 other（unknown kind)",
                        other.chars().take(40).collect::<String>()
                    ),
                ));
            }
        };
        let shortcomings = items(text, "shortcomings", &self.shortcomings)?;
        let commitments = items(text, "commitments", &self.commitments)?;
        let previous_rectification =
            items(text, "previous_rectification", &self.previous_rectification)?;
        if shortcomings.is_empty() && commitments.is_empty() {
            return Err(refuse(
                "REVIEW_NOTHING_TO_TRACK",
                "核对后的结果既没有问题也没有整改措施，无可导入（no shortcomings and no commitments to import)",
            ));
        }
        if self.links.len() > MAX_REVIEWED_LINKS {
            return Err(too_many("links", self.links.len(), MAX_REVIEWED_LINKS));
        }
        let mut links: Vec<Link> = Vec::with_capacity(self.links.len());
        for (i, l) in self.links.iter().enumerate() {
            let position = |p: i64, len: usize| usize::try_from(p).ok().filter(|&p| p < len);
            let (Some(s), Some(c)) = (
                position(l.shortcoming, shortcomings.len()),
                position(l.commitment, commitments.len()),
            ) else {
                return Err(refuse(
                    "REVIEW_BAD_LINK",
                    format!(
                        "第 {} 条关联指向不存在的条目（问题 {}、措施 {}；共有 {} 个问题、{} 条措施）（a link refers to an item that is not in the input)",
                        i + 1,
                        l.shortcoming.saturating_add(1),
                        l.commitment.saturating_add(1),
                        shortcomings.len(),
                        commitments.len()
                    ),
                ));
            };
            let score = l
                .score
                .filter(|s| s.is_finite())
                .unwrap_or(1.0)
                .clamp(0.0, 1.0);
            if !links
                .iter()
                .any(|k| k.shortcoming == s && k.commitment == c)
            {
                links.push(Link {
                    shortcoming: s,
                    commitment: c,
                    score,
                });
            }
        }
        let year = self.year;
        Ok(Extraction {
            agency: self
                .agency
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(ToOwned::to_owned),
            report_year: year,
            period,
            kind,
            title: self
                .title
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(ToOwned::to_owned),
            published_date: self.published_on,
            shortcomings,
            commitments,
            previous_rectification,
            links,
            warnings: Vec::new(),
            sections: Vec::new(),
        })
    }
}

fn section_zh(name: &str) -> &'static str {
    SECTIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, zh)| zh)
}

fn malformed(field: &str, expected: &str) -> ServiceError {
    refuse(
        "REVIEW_MALFORMED",
        format!("核对后的提取结果中 {field} 应为{expected}（the reviewed extraction is malformed)"),
    )
}

fn too_many(name: &str, count: usize, max: usize) -> ServiceError {
    refuse(
        "REVIEW_TOO_MANY",
        format!("{name} 有 {count} 条，超过上限 {max} 条（too many entries)"),
    )
}

fn too_long(what: &str, max: usize) -> ServiceError {
    refuse(
        "REVIEW_TOO_LONG",
        format!("{what} 超过 {max} 个字符（too long)"),
    )
}

fn item_from_json(
    section: &str,
    i: usize,
    value: &Value,
    printed_span: Option<&Value>,
) -> Result<ReviewedItem, ServiceError> {
    let span_of = |v: &Value| -> Result<Option<(i64, i64)>, ServiceError> {
        match v {
            Value::Null => Ok(None),
            Value::Array(a) if a.len() == 2 => match (a[0].as_i64(), a[1].as_i64()) {
                (Some(s), Some(e)) => Ok(Some((s, e))),
                _ => Err(malformed(
                    &format!("{section}[{i}].span"),
                    "[起, 止] 字节位置",
                )),
            },
            _ => Err(malformed(
                &format!("{section}[{i}].span"),
                "[起, 止] 字节位置",
            )),
        }
    };
    match value {
        Value::String(text) => Ok(ReviewedItem {
            text: text.clone(),
            span: printed_span.map(span_of).transpose()?.flatten(),
        }),
        Value::Object(o) => {
            let text = o
                .get("text")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed(&format!("{section}[{i}].text"), "字符串"))?;
            let span = match o.get("span") {
                Some(v) => span_of(v)?,
                None => printed_span.map(span_of).transpose()?.flatten(),
            };
            Ok(ReviewedItem {
                text: text.to_owned(),
                span,
            })
        }
        _ => Err(malformed(
            &format!("{section}[{i}]"),
            "字符串或 {text, span} 对象",
        )),
    }
}

/// Checks one list and turns it into extracted items (confidence 1: a person read them).
/// An item without a span gets the empty span `(0, 0)`, which the import stores as none.
fn items(text: &str, section: &str, list: &[ReviewedItem]) -> Result<Vec<Item>, ServiceError> {
    if list.len() > MAX_REVIEWED_ITEMS {
        return Err(too_many(section, list.len(), MAX_REVIEWED_ITEMS));
    }
    let zh = section_zh(section);
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let body = item.text.trim();
            if body.is_empty() {
                return Err(refuse(
                    "REVIEW_EMPTY_ITEM",
                    format!("{zh}第 {} 条是空的：删除它或填写内容（an item is empty)", i + 1),
                ));
            }
            if body.chars().count() > MAX_ITEM_CHARS {
                return Err(too_long(&format!("{zh}第 {} 条", i + 1), MAX_ITEM_CHARS));
            }
            let span = match item.span {
                None => (0, 0),
                Some((start, end)) => {
                    let inside = usize::try_from(start)
                        .ok()
                        .zip(usize::try_from(end).ok())
                        .filter(|&(s, e)| {
                            s < e
                                && e <= text.len()
                                && text.is_char_boundary(s)
                                && text.is_char_boundary(e)
                        });
                    inside.ok_or_else(|| {
                        refuse(
                            "REVIEW_BAD_SPAN",
                            format!(
                                "{zh}第 {} 条的位置 [{start}, {end}) 不在报告文本之内（共 {} 字节）或不在字符边界上：改正或删去 span（a span lies outside the text)",
                                i + 1,
                                text.len()
                            ),
                        )
                    })?
                }
            };
            Ok(Item {
                text: body.to_owned(),
                span,
                confidence: 1.0,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "二、存在的问题\n一是学习不深。\n二是执法不严。\n三、下一步\n（一）加强学习。";

    #[test]
    fn the_printed_extraction_reads_back_with_its_spans_and_links() {
        let json = serde_json::json!({
            "agency": "某县司法局", "report_year": 2024, "period": "annual", "kind": "other",
            "title": null, "published_date": "2025-01-02",
            "shortcomings": ["学习不深。", "执法不严。"],
            "commitments": ["加强学习。"],
            "previous_rectification": [],
            "links": [[0, 0, 0.4]],
            "warnings": [], "confidence": {}, "sections": [],
            "spans": { "shortcomings": [[28, 43], [50, 65]], "commitments": [[91, 106]], "previous_rectification": [] }
        });
        let r = ReviewedExtraction::from_extract_json(json.to_string().as_bytes()).unwrap();
        assert_eq!(r.shortcomings[1].span, Some((50, 65)));
        assert_eq!(r.links[0].score, Some(0.4));
        let e = r.check(TEXT).unwrap();
        assert_eq!(e.shortcomings.len(), 2);
        assert_eq!(e.links.len(), 1);
        assert_eq!(e.report_year, Some(2024));
    }

    #[test]
    fn edited_lists_with_stale_spans_unknown_sections_and_bad_links_are_refused() {
        let code = |json: serde_json::Value| match ReviewedExtraction::from_extract_json(
            json.to_string().as_bytes(),
        )
        .and_then(|r| r.check(TEXT).map(|_| ()))
        {
            Err(ServiceError::Rule { code, .. }) => code,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            code(
                serde_json::json!({ "shortcomings": ["a"], "spans": { "shortcomings": [[0, 3], [3, 6]] } })
            ),
            "REVIEW_SPANS_MISMATCH"
        );
        assert_eq!(
            code(serde_json::json!({ "problems": ["a"] })),
            "REVIEW_UNKNOWN_SECTION"
        );
        assert_eq!(
            code(
                serde_json::json!({ "shortcomings": ["a"], "commitments": ["b"], "links": [[0, 1]] })
            ),
            "REVIEW_BAD_LINK"
        );
        assert_eq!(
            code(serde_json::json!({ "shortcomings": [{ "text": "a", "span": [0, 1] }] })),
            "REVIEW_BAD_SPAN",
            "inside a character"
        );
        assert_eq!(
            code(serde_json::json!({ "shortcomings": [{ "text": "a", "span": [0, 100000] }] })),
            "REVIEW_BAD_SPAN"
        );
        assert_eq!(
            code(serde_json::json!({ "shortcomings": ["  "] })),
            "REVIEW_EMPTY_ITEM"
        );
        assert_eq!(
            code(serde_json::json!({ "previous_rectification": ["x"] })),
            "REVIEW_NOTHING_TO_TRACK"
        );
        assert_eq!(
            code(serde_json::json!({ "shortcomings": ["x"], "period": "q3" })),
            "REVIEW_BAD_METADATA"
        );
        assert_eq!(
            code(serde_json::json!({ "shortcomings": vec!["x"; MAX_REVIEWED_ITEMS + 1] })),
            "REVIEW_TOO_MANY"
        );
        assert_eq!(
            code(serde_json::json!({ "shortcomings": ["问".repeat(MAX_ITEM_CHARS + 1)] })),
            "REVIEW_TOO_LONG"
        );
        assert_eq!(code(serde_json::json!([1, 2])), "REVIEW_MALFORMED");
    }
}
