//! Chinese numerals as official documents write them: 一…十, 十一…九十九, and 〇 in dates.

const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// The value of a single Chinese digit (〇/零 = 0 … 九 = 9).
pub fn digit(c: char) -> Option<u32> {
    match c {
        '零' | 'О' | 'o' | 'O' | '○' | '◯' | 'Ｏ' | '０' => Some(0),
        _ => DIGITS.iter().position(|d| *d == c).map(|p| p as u32),
    }
}

/// Parses 一 … 九十九 (also 两 for 2). Returns the value and the bytes consumed.
pub fn parse_prefix(s: &str) -> Option<(u32, usize)> {
    let mut chars = s.char_indices().peekable();
    let mut value = 0u32;
    let mut consumed = 0usize;
    let mut seen = false;
    let mut pending = 0u32;
    while let Some(&(i, c)) = chars.peek() {
        if c == '十' {
            let tens = if pending == 0 && !seen { 1 } else { pending };
            value += tens * 10;
            pending = 0;
        } else if let Some(d) = digit(c).filter(|d| *d > 0).or((c == '两').then_some(2)) {
            if pending != 0 {
                break;
            }
            pending = d;
        } else {
            break;
        }
        seen = true;
        consumed = i + c.len_utf8();
        chars.next();
        if value >= 100 {
            return None;
        }
    }
    let total = value + pending;
    (seen && total > 0).then_some((total, consumed))
}

/// Writes `n` (1..=99) in Chinese numerals.
pub fn format(n: u32) -> String {
    match n {
        1..=9 => DIGITS[n as usize].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", DIGITS[(n - 10) as usize]),
        20..=99 if n.is_multiple_of(10) => format!("{}十", DIGITS[(n / 10) as usize]),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            DIGITS[(n % 10) as usize]
        ),
        _ => n.to_string(),
    }
}

/// Reads a year written with Chinese digits digit by digit (二〇二五 → 2025).
pub fn digitwise(s: &str) -> Option<u32> {
    let mut v = 0u32;
    let mut n = 0;
    for c in s.chars() {
        v = v * 10 + digit(c)?;
        n += 1;
    }
    (n > 0).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_the_numerals_of_enumerations() {
        for n in 1..=99 {
            let s = format(n);
            assert_eq!(parse_prefix(&s), Some((n, s.len())), "{s}");
        }
        assert_eq!(parse_prefix("三是"), Some((3, 3)));
        assert_eq!(parse_prefix("是"), None);
        assert_eq!(digitwise("二〇二五"), Some(2025));
    }
}
