//! Enumerators (一是 / （一） / 一、 / 1. / （1） / 第一， / ①) found at the start of a
//! paragraph or inside one.

use crate::numerals;

/// How items of a list are numbered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// 一、二、 — also the top level of section headings.
    CnComma,
    /// （一）（二） or (一)(二).
    ParenCn,
    /// 1. 2. / 1、2、 / 1．
    ArabicDot,
    /// （1）（2）
    ParenArabic,
    /// 一是 二是
    Shi,
    /// 第一， 第二，
    Ordinal,
    /// ① ②
    Circled,
}

impl Style {
    /// Nesting rank as headings use it: smaller is higher.
    pub fn rank(self) -> u8 {
        match self {
            Style::CnComma => 1,
            Style::ParenCn => 2,
            Style::ArabicDot | Style::Ordinal => 3,
            Style::ParenArabic => 4,
            Style::Shi | Style::Circled => 5,
        }
    }
}

/// An enumerator found in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marker {
    pub style: Style,
    pub ordinal: u32,
    /// Byte offset of the enumerator.
    pub start: usize,
    /// Byte offset just past it (where the item's text begins).
    pub end: usize,
}

const CIRCLED: &str = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳";

fn is_open_paren(c: char) -> bool {
    c == '（' || c == '('
}

fn is_close_paren(c: char) -> bool {
    c == '）' || c == ')'
}

/// The enumerator at byte `at` of `s`, if one starts there.
pub fn marker_at(s: &str, at: usize) -> Option<Marker> {
    let rest = s.get(at..)?;
    let first = rest.chars().next()?;
    let make = |style, ordinal, len: usize| {
        Some(Marker {
            style,
            ordinal,
            start: at,
            end: at + len,
        })
    };
    if is_open_paren(first) {
        let inner = &rest[first.len_utf8()..];
        if let Some((n, used)) = numerals::parse_prefix(inner) {
            let close = inner[used..].chars().next()?;
            return is_close_paren(close).then_some(()).and(make(
                Style::ParenCn,
                n,
                first.len_utf8() + used + close.len_utf8(),
            ));
        }
        let digits = inner.chars().take_while(char::is_ascii_digit).count();
        if (1..=2).contains(&digits) {
            let close = inner[digits..].chars().next()?;
            let n: u32 = inner[..digits].parse().ok()?;
            return is_close_paren(close).then_some(()).and(make(
                Style::ParenArabic,
                n,
                first.len_utf8() + digits + close.len_utf8(),
            ));
        }
        return None;
    }
    if let Some(pos) = CIRCLED.chars().position(|c| c == first) {
        return make(Style::Circled, pos as u32 + 1, first.len_utf8());
    }
    if first == '第' {
        let inner = &rest[first.len_utf8()..];
        let (n, used) = numerals::parse_prefix(inner)?;
        let after = inner[used..].chars().next()?;
        return matches!(after, '，' | ',' | '、' | '是' | '：' | ':')
            .then_some(())
            .and(make(
                Style::Ordinal,
                n,
                first.len_utf8() + used + after.len_utf8(),
            ));
    }
    if first.is_ascii_digit() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 2 {
            return None;
        }
        let mut tail = rest[digits..].chars();
        let sep = tail.next()?;
        let next = tail.next();
        let ok =
            matches!(sep, '、' | '．') || (sep == '.' && !next.is_some_and(|c| c.is_ascii_digit()));
        return ok.then_some(()).and(make(
            Style::ArabicDot,
            rest[..digits].parse().ok()?,
            digits + sep.len_utf8(),
        ));
    }
    let (n, used) = numerals::parse_prefix(rest)?;
    match rest[used..].chars().next()? {
        '是' => make(Style::Shi, n, used + '是'.len_utf8()),
        '、' => make(Style::CnComma, n, used + '、'.len_utf8()),
        _ => None,
    }
}

/// The text of the enumerator `style`/`ordinal` as it may be written (the first spelling
/// is the usual one).
fn spellings(style: Style, n: u32) -> Vec<String> {
    let cn = numerals::format(n);
    match style {
        Style::Shi => vec![format!("{cn}是")],
        Style::CnComma => vec![format!("{cn}、")],
        Style::ParenCn => vec![
            format!("（{cn}）"),
            format!("({cn})"),
            format!("（{cn})"),
            format!("({cn}）"),
        ],
        Style::ParenArabic => vec![format!("（{n}）"), format!("({n})")],
        Style::ArabicDot => vec![format!("{n}."), format!("{n}、"), format!("{n}．")],
        Style::Ordinal => vec![
            format!("第{cn}，"),
            format!("第{cn},"),
            format!("第{cn}、"),
            format!("第{cn}是"),
        ],
        Style::Circled => CIRCLED
            .chars()
            .nth(n as usize - 1)
            .map(|c| vec![c.to_string()])
            .unwrap_or_default(),
    }
}

/// True when byte `at` of `s` may begin an enumerator: the start, or after a sentence or
/// clause boundary.
fn at_boundary(s: &str, at: usize) -> bool {
    match s[..at].chars().next_back() {
        None => true,
        Some(c) => matches!(
            c,
            '。' | '；'
                | ';'
                | '，'
                | ','
                | '：'
                | ':'
                | '！'
                | '!'
                | '？'
                | '?'
                | '\u{3000}'
                | ' '
                | '\t'
                | '\n'
                | '）'
                | ')'
                | '】'
                | '”'
                | '"'
        ),
    }
}

/// The next enumerator `style`/`ordinal` at or after byte `from`, at a boundary.
pub fn find(s: &str, style: Style, ordinal: u32, from: usize) -> Option<Marker> {
    spellings(style, ordinal)
        .iter()
        .filter_map(|spelling| {
            let mut search = from;
            while let Some(pos) = s.get(search..).and_then(|r| r.find(spelling.as_str())) {
                let at = search + pos;
                if at_boundary(s, at)
                    && let Some(m) =
                        marker_at(s, at).filter(|m| m.style == style && m.ordinal == ordinal)
                {
                    return Some(m);
                }
                search = at + spelling.len();
            }
            None
        })
        .min_by_key(|m| m.start)
}

/// The first inline enumeration in `s` after byte `from`: an enumerator with ordinal 1 at a
/// boundary, confirmed by its ordinal 2 later (一是 alone suffices: it never means anything else).
pub fn find_first_inline(s: &str, from: usize) -> Option<Marker> {
    [
        Style::Shi,
        Style::ParenCn,
        Style::ParenArabic,
        Style::Ordinal,
        Style::Circled,
        Style::ArabicDot,
        Style::CnComma,
    ]
    .into_iter()
    .filter_map(|style| {
        let first = find(s, style, 1, from)?;
        (style == Style::Shi || find(s, style, 2, first.end).is_some()).then_some(first)
    })
    .min_by_key(|m| m.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_style_at_the_start() {
        let cases = [
            ("一是加强", Style::Shi, 1),
            ("十二是", Style::Shi, 12),
            ("（三）完善", Style::ParenCn, 3),
            ("(三)完善", Style::ParenCn, 3),
            ("四、存在", Style::CnComma, 4),
            ("2.加强", Style::ArabicDot, 2),
            ("2、加强", Style::ArabicDot, 2),
            ("（2）加强", Style::ParenArabic, 2),
            ("第二，加强", Style::Ordinal, 2),
            ("③加强", Style::Circled, 3),
        ];
        for (text, style, n) in cases {
            let m = marker_at(text, 0).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((m.style, m.ordinal), (style, n), "{text}");
        }
        for text in ["2.5亿元", "2025年", "一定", "统一是", "（注）"] {
            let m = marker_at(text, 0);
            assert!(m.is_none() || text == "统一是", "{text}: {m:?}");
        }
    }

    #[test]
    fn finds_inline_enumerators_only_at_boundaries() {
        let s = "存在以下短板。一是统一是个问题。二是不够。";
        let first = find_first_inline(s, 0).unwrap();
        assert_eq!(&s[first.start..first.end], "一是");
        let second = find(s, Style::Shi, 2, first.end).unwrap();
        assert_eq!(&s[second.start..second.end], "二是");
        assert!(
            find(s, Style::Shi, 1, first.end).is_none(),
            "统一是 is not an enumerator"
        );
    }
}
