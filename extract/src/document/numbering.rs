//! Word's automatic numbering, rebuilt: an item Word shows as （一） carries no （一） in
//! its text; its number lives in `numbering.xml` (levels with a start, a format such as
//! `chineseCounting` and a text such as `（%1）`) and in counters Word keeps while it lays
//! the document out. This module reads the definitions and keeps the counters.

use std::collections::HashMap;

use super::{
    FileError,
    xml::{self, Node},
};

/// Word has nine list levels (`w:ilvl` 0–8).
const LEVELS: usize = 9;

/// The most list definitions read (real documents have tens).
const MAX_DEFINITIONS: usize = 10_000;

/// One level of a list definition.
#[derive(Clone, Debug, Default)]
struct Level {
    start: Option<u32>,
    format: String,
    text: String,
    /// `w:lvlRestart`: restart after a use of a level shallower than this (1-based);
    /// 0 = never. Absent: after any shallower level.
    restart: Option<u32>,
    /// `w:isLgl`: show every level as a decimal.
    legal: bool,
    /// `w:suff`: what follows the number (tab, space or nothing).
    space_after: bool,
}

impl Level {
    fn start(&self) -> u32 {
        self.start.unwrap_or(1)
    }
}

/// A `w:num`: which abstract definition it uses and its start overrides.
#[derive(Clone, Debug, Default)]
struct Num {
    abstract_id: i64,
    overrides: Vec<(usize, u32)>,
}

/// The list definitions of a document and the counters of a walk through it.
#[derive(Debug, Default)]
pub(super) struct Numbering {
    abstracts: HashMap<i64, [Level; LEVELS]>,
    nums: HashMap<i64, Num>,
    /// Counters per abstract definition: Word continues a list across the `w:num`s that
    /// share one, unless a `w:num` overrides a start.
    counters: HashMap<i64, [Option<u32>; LEVELS]>,
    used: std::collections::HashSet<i64>,
}

impl Numbering {
    /// Reads `word/numbering.xml`.
    pub(super) fn parse(xml: &str) -> Result<Self, FileError> {
        let mut n = Self::default();
        let mut abstract_id: Option<i64> = None;
        let mut levels: [Level; LEVELS] = Default::default();
        let mut level: Option<usize> = None;
        let mut num: Option<(i64, Num)> = None;
        let mut override_level: Option<usize> = None;
        xml::walk(xml, |node| {
            match node {
                Node::Open { tag, empty } => match xml::name(tag) {
                    "w:abstractNum" if !empty => {
                        abstract_id = xml::int_attr(tag, "w:abstractNumId");
                        levels = Default::default();
                    }
                    "w:lvl" if !empty && num.is_none() => {
                        level = xml::int_attr(tag, "w:ilvl")
                            .and_then(|l| usize::try_from(l).ok())
                            .filter(|l| *l < LEVELS);
                    }
                    "w:num" if !empty => {
                        num = xml::int_attr(tag, "w:numId").map(|id| (id, Num::default()));
                    }
                    "w:abstractNumId" => {
                        if let Some((_, n)) = num.as_mut() {
                            n.abstract_id = xml::int_attr(tag, "w:val").unwrap_or(-1);
                        }
                    }
                    "w:lvlOverride" if !empty => {
                        override_level = xml::int_attr(tag, "w:ilvl")
                            .and_then(|l| usize::try_from(l).ok())
                            .filter(|l| *l < LEVELS);
                    }
                    "w:startOverride" => {
                        if let (Some((_, n)), Some(l), Some(v)) =
                            (num.as_mut(), override_level, xml::int_attr(tag, "w:val"))
                        {
                            n.overrides.push((l, clamp(v)));
                        }
                    }
                    other => {
                        if let (Some(l), None) = (level, num.as_ref()) {
                            let lvl = &mut levels[l];
                            let val = || xml::attr(tag, "w:val");
                            match other {
                                "w:start" => lvl.start = xml::int_attr(tag, "w:val").map(clamp),
                                "w:numFmt" => lvl.format = val().unwrap_or_default(),
                                "w:lvlText" => lvl.text = val().unwrap_or_default(),
                                "w:lvlRestart" => {
                                    lvl.restart = xml::int_attr(tag, "w:val").map(clamp);
                                }
                                "w:isLgl" => {
                                    lvl.legal = val().is_none_or(|v| v != "0" && v != "false");
                                }
                                "w:suff" => lvl.space_after = val().as_deref() == Some("space"),
                                _ => {}
                            }
                        }
                    }
                },
                Node::Close { name } => match name {
                    "w:lvl" => level = None,
                    "w:lvlOverride" => override_level = None,
                    "w:abstractNum" => {
                        if let Some(id) = abstract_id.take() {
                            n.abstracts.insert(id, std::mem::take(&mut levels));
                        }
                    }
                    "w:num" => {
                        if let Some((id, v)) = num.take() {
                            n.nums.insert(id, v);
                        }
                    }
                    _ => {}
                },
                Node::Text(_) => {}
            }
            if n.abstracts.len() + n.nums.len() > MAX_DEFINITIONS {
                return Err(FileError::OverLimit {
                    what: "编号定义数",
                    limit: MAX_DEFINITIONS,
                });
            }
            Ok(())
        })?;
        Ok(n)
    }

    /// Counts one paragraph of list `num_id` at level `ilvl` and returns the number text
    /// Word shows before it (with a trailing space when Word puts one), or `None` for
    /// bullets, unknown lists and `numId` 0 (numbering switched off).
    pub(super) fn next_label(&mut self, num_id: i64, ilvl: usize) -> Option<String> {
        let ilvl = ilvl.min(LEVELS - 1);
        let num = self.nums.get(&num_id)?;
        let levels = self.abstracts.get(&num.abstract_id)?;
        let counters = self.counters.entry(num.abstract_id).or_default();
        if self.used.insert(num_id) {
            for &(l, start) in &num.overrides {
                counters[l] = Some(start.saturating_sub(1));
                for deeper in counters.iter_mut().skip(l + 1) {
                    *deeper = None;
                }
            }
        }
        counters[ilvl] = Some(counters[ilvl].map_or(levels[ilvl].start(), |c| c.saturating_add(1)));
        for (k, deeper) in levels.iter().enumerate().skip(ilvl + 1) {
            // `w:lvlRestart` is 1-based: level k restarts after a use of a level < restart.
            let restart = deeper.restart.map_or(k, |r| r as usize);
            if ilvl < restart {
                counters[k] = None;
            }
        }
        let level = &levels[ilvl];
        if level.format == "bullet" {
            return None;
        }
        let mut label = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            let slot = (c == '%')
                .then(|| chars.peek().and_then(|d| d.to_digit(10)))
                .flatten()
                .filter(|d| (1..=LEVELS as u32).contains(d));
            let Some(d) = slot else {
                label.push(c);
                continue;
            };
            chars.next();
            let k = d as usize - 1;
            let value = counters[k].unwrap_or(levels[k].start());
            let format = if level.legal {
                "decimal"
            } else {
                &levels[k].format
            };
            label.push_str(&format_number(value, format));
        }
        if label.is_empty() {
            return None;
        }
        if level.space_after {
            label.push(' ');
        }
        Some(label)
    }
}

fn clamp(v: i64) -> u32 {
    v.clamp(0, 100_000) as u32
}

const CN_DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const CN_LEGAL: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const STEMS: [char; 10] = ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸'];
const BRANCHES: [char; 12] = [
    '子', '丑', '寅', '卯', '辰', '巳', '午', '未', '申', '酉', '戌', '亥',
];

/// `value` as Word writes it in `format` (`w:numFmt`); unknown formats fall back to decimal.
pub(super) fn format_number(value: u32, format: &str) -> String {
    match format {
        "none" => String::new(),
        "decimalZero" => format!("{value:02}"),
        "decimalFullWidth" | "decimalFullWidth2" => value
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c))
            .collect(),
        "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseCounting"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand"
        | "koreanCounting" => counting(value, &CN_DIGITS, ['十', '百', '千']),
        "chineseLegalSimplified" => counting(value, &CN_LEGAL, ['拾', '佰', '仟']),
        "ideographDigital" | "taiwaneseDigital" | "japaneseDigitalTenThousand" => value
            .to_string()
            .chars()
            .map(|c| CN_DIGITS[c as usize - '0' as usize])
            .collect(),
        "ideographTraditional" if value >= 1 => STEMS[(value as usize - 1) % 10].to_string(),
        "ideographZodiac" if value >= 1 => BRANCHES[(value as usize - 1) % 12].to_string(),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&value) => {
            enclosed(0x2460, value)
        }
        "decimalEnclosedFullstop" if (1..=20).contains(&value) => enclosed(0x2488, value),
        "decimalEnclosedParen" if (1..=20).contains(&value) => enclosed(0x2474, value),
        "upperLetter" | "lowerLetter" if value >= 1 => {
            // Word repeats the letter: A…Z, AA…ZZ, AAA…
            let base = if format == "upperLetter" { b'A' } else { b'a' };
            let letter = (base + ((value - 1) % 26) as u8) as char;
            std::iter::repeat_n(letter, (value as usize - 1) / 26 + 1).collect()
        }
        "upperRoman" => roman(value),
        "lowerRoman" => roman(value).to_lowercase(),
        _ => value.to_string(),
    }
}

fn enclosed(first: u32, value: u32) -> String {
    char::from_u32(first + value - 1).map_or_else(|| value.to_string(), String::from)
}

/// Chinese counting numerals: 一…十, 十一, 二十, 一百零一, 一千二百… (below 10,000); `digits[0]`
/// stands alone for 0.
fn counting(value: u32, digits: &[char; 10], units: [char; 3]) -> String {
    if value == 0 {
        return digits[0].to_string();
    }
    if value >= 10_000 {
        return value.to_string();
    }
    let parts = [value / 1000, value / 100 % 10, value / 10 % 10, value % 10];
    let mut out = String::new();
    let mut zero = false;
    for (i, &d) in parts.iter().enumerate() {
        let unit = match i {
            0 => Some(units[2]),
            1 => Some(units[1]),
            2 => Some(units[0]),
            _ => None,
        };
        if d == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        // 十一, not 一十一, when the number starts with its tens.
        if !(i == 2 && d == 1 && out.is_empty()) {
            out.push(digits[d as usize]);
        }
        if let Some(u) = unit {
            out.push(u);
        }
    }
    out
}

fn roman(mut value: u32) -> String {
    if value == 0 || value >= 4000 {
        return value.to_string();
    }
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (n, s) in TABLE {
        while value >= n {
            out.push_str(s);
            value -= n;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_as_word_does() {
        let cn: Vec<String> = [1, 10, 11, 20, 21, 100, 101, 110, 1001]
            .iter()
            .map(|&v| format_number(v, "chineseCounting"))
            .collect();
        assert_eq!(
            cn,
            [
                "一",
                "十",
                "十一",
                "二十",
                "二十一",
                "一百",
                "一百零一",
                "一百一十",
                "一千零一"
            ]
        );
        assert_eq!(format_number(3, "ideographTraditional"), "丙");
        assert_eq!(format_number(2, "decimalEnclosedCircleChinese"), "②");
        assert_eq!(format_number(12, "decimalFullWidth"), "１２");
        assert_eq!(format_number(28, "lowerLetter"), "bb");
        assert_eq!(format_number(14, "upperRoman"), "XIV");
        assert_eq!(format_number(3, "chineseLegalSimplified"), "叁");
        assert_eq!(format_number(10, "ideographDigital"), "一〇");
    }

    const NUMBERING: &str = r#"<w:numbering xmlns:w="x">
      <w:abstractNum w:abstractNumId="0">
        <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
        <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
        <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/><w:lvlRestart w:val="0"/></w:lvl>
      </w:abstractNum>
      <w:abstractNum w:abstractNumId="1">
        <w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="&#61623;"/></w:lvl>
      </w:abstractNum>
      <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
      <w:num w:numId="2"><w:abstractNumId w:val="0"/>
        <w:lvlOverride w:ilvl="1"><w:startOverride w:val="5"/></w:lvlOverride></w:num>
      <w:num w:numId="3"><w:abstractNumId w:val="1"/></w:num>
    </w:numbering>"#;

    #[test]
    fn counters_continue_restart_and_take_overrides() {
        let mut n = Numbering::parse(NUMBERING).unwrap();
        let mut labels = Vec::new();
        for (num, lvl) in [
            (1, 0),
            (1, 1),
            (1, 2),
            (1, 1),
            (1, 2),
            (1, 0),
            (1, 1),
            (1, 2),
        ] {
            labels.push(n.next_label(num, lvl).unwrap());
        }
        assert_eq!(
            labels,
            [
                "一、",
                "（一）",
                "1.",
                "（二）",
                "2.",
                "二、",
                "（一）",
                "3."
            ]
        );
        // Another w:num of the same list continues it, but its override restarts level 1 at 5.
        assert_eq!(n.next_label(2, 1).as_deref(), Some("（五）"));
        assert_eq!(n.next_label(2, 0).as_deref(), Some("三、"));
        assert_eq!(n.next_label(3, 0), None, "bullets carry no number");
        assert_eq!(n.next_label(0, 0), None, "numId 0 switches numbering off");
        assert_eq!(n.next_label(99, 0), None);
    }
}
