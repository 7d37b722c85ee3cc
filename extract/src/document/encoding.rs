//! Text files in the encodings Chinese offices save: UTF-8, UTF-16 with a BOM, and
//! GBK/GB18030 (the default "ANSI" of Chinese Windows). Detection, in order: a BOM; valid
//! UTF-8; GB18030 that decodes without a single error *and* whose double-byte characters
//! lie mostly in the GB2312 block of common Hanzi and punctuation; otherwise refused,
//! so a Shift-JIS or Big5 file or binary junk is an error rather than garbled text.

use encoding_rs::{GB18030, UTF_8};

use super::FileError;

/// The share of double-byte characters that must be common GB2312 Hanzi or punctuation
/// (lead byte 0xA1–0xF7, trail 0xA1–0xFE) for bytes to be taken as GBK. Chinese prose is
/// above 99%; Shift-JIS kana and kanji fall mostly outside (lead 0x81–0x9F).
const GB2312_SHARE: f64 = 0.9;

/// Decodes a text file to UTF-8 (a BOM is dropped).
pub(super) fn decode(bytes: &[u8]) -> Result<String, FileError> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            .map(|s| s.into_owned())
            .ok_or(FileError::UnknownEncoding);
    }
    if let Some(s) = UTF_8.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok(s.into_owned());
    }
    if looks_like_gbk(bytes)
        && let Some(s) = GB18030.decode_without_bom_handling_and_without_replacement(bytes)
    {
        return Ok(s.into_owned());
    }
    Err(FileError::UnknownEncoding)
}

/// Whether the multi-byte characters of `bytes`, read as GBK, are mostly common ones.
fn looks_like_gbk(bytes: &[u8]) -> bool {
    let (mut common, mut multi) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let lead = bytes[i];
        if lead < 0x80 {
            i += 1;
            continue;
        }
        multi += 1;
        let Some(&trail) = bytes.get(i + 1) else {
            return false;
        };
        if trail.is_ascii_digit() {
            // A four-byte GB18030 sequence: rare in Chinese prose.
            i += 4;
            continue;
        }
        if (0xA1..=0xF7).contains(&lead) && (0xA1..=0xFE).contains(&trail) {
            common += 1;
        }
        i += 2;
    }
    multi > 0 && common as f64 >= GB2312_SHARE * multi as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_utf16_and_utf8_decode_to_the_same_text() {
        let text = "三、存在的问题\r\n一是学习不够深入（2024年）。";
        let (gbk, _, bad) = encoding_rs::GBK.encode(text);
        assert!(!bad);
        assert_eq!(decode(&gbk).unwrap(), text);
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&le).unwrap(), text);
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be).unwrap(), text);
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend(text.as_bytes());
        assert_eq!(decode(&utf8).unwrap(), text);
    }

    #[test]
    fn shift_jis_big5_and_junk_are_refused() {
        let (sjis, _, bad) =
            encoding_rs::SHIFT_JIS.encode("これは日本語の報告書です。問題点と今後の課題。");
        assert!(!bad);
        assert_eq!(decode(&sjis), Err(FileError::UnknownEncoding));
        let junk: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(decode(&junk), Err(FileError::UnknownEncoding));
        // An odd UTF-16 payload after its BOM is an error, not a lossy decode.
        assert_eq!(decode(&[0xFF, 0xFE, 0x41]), Err(FileError::UnknownEncoding));
    }
}
