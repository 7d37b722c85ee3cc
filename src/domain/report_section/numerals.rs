//! Chinese numerals as official documents number things: （一）…（十一）…（二十）, 一是、二是.

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// `n` in Chinese numerals: 1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 105 → 一百零五,
/// 1010 → 一千零一十. From 10,000 on (no report lists that many) the Arabic digits.
pub fn chinese_numeral(n: u32) -> String {
    if n == 0 {
        return "零".to_owned();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    if (10..20).contains(&n) {
        // 十一, not 一十一: the leading 一 is dropped below twenty.
        let mut s = String::from("十");
        if n > 10 {
            s.push(DIGITS[(n - 10) as usize]);
        }
        return s;
    }
    let places = [(1000, "千"), (100, "百"), (10, "十"), (1, "")];
    let mut out = String::new();
    let mut zero_pending = false;
    for (value, unit) in places {
        let digit = (n / value) % 10;
        if digit == 0 {
            zero_pending = !out.is_empty();
            continue;
        }
        if zero_pending {
            out.push('零');
            zero_pending = false;
        }
        out.push(DIGITS[digit as usize]);
        out.push_str(unit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::chinese_numeral;

    #[test]
    fn numbers_read_as_in_official_documents() {
        let cases = [
            (1, "一"),
            (9, "九"),
            (10, "十"),
            (11, "十一"),
            (19, "十九"),
            (20, "二十"),
            (21, "二十一"),
            (99, "九十九"),
            (100, "一百"),
            (101, "一百零一"),
            (110, "一百一十"),
            (1001, "一千零一"),
            (1010, "一千零一十"),
            (2345, "二千三百四十五"),
            (0, "零"),
            (12345, "12345"),
        ];
        for (n, expected) in cases {
            assert_eq!(chinese_numeral(n), expected, "{n}");
        }
    }
}
