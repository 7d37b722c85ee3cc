//! The words by which sections, lead-ins and stops are recognised, kept as data
//! (`cues.toml`, compiled in) so that an office can teach the extractor a heading without a
//! release: [`Cues::from_toml`] reads a replacement, whose missing keys keep the defaults.

use std::sync::OnceLock;

use serde::Deserialize;

/// The compiled-in cues file.
pub const DEFAULT_CUES_TOML: &str = include_str!("../cues.toml");

/// Why a cues file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CuesError {
    /// Not TOML, or a key holds something other than a list of strings.
    #[error("the cues file is not valid: {0}")]
    Invalid(String),
}

/// Heading words.
#[derive(Clone, Debug, Deserialize)]
#[allow(missing_docs)]
pub struct Headings {
    pub problem_words: Vec<String>,
    pub problem_endings: Vec<String>,
    pub next_strong: Vec<String>,
    pub next_weak: Vec<String>,
    pub done_words: Vec<String>,
    pub solved_verbs: Vec<String>,
    pub rectify_words: Vec<String>,
    pub previous_words: Vec<String>,
    pub conjunctions: Vec<String>,
    pub general_plan_labels: Vec<String>,
    pub paired_sources: Vec<String>,
    pub paired_splits: Vec<String>,
    pub container_labels: Vec<String>,
}

/// Lead-in words.
#[derive(Clone, Debug, Deserialize)]
#[allow(missing_docs)]
pub struct LeadIns {
    pub problem_verbs: Vec<String>,
    pub list_intros: Vec<String>,
    pub example_intros: Vec<String>,
    pub commitment_starts: Vec<String>,
    pub future_verbs: Vec<String>,
    pub commitment_list_words: Vec<String>,
}

/// What closes a list.
#[derive(Clone, Debug, Deserialize)]
#[allow(missing_docs)]
pub struct Stops {
    pub sentence_starts: Vec<String>,
    pub closing_phrases: Vec<String>,
    pub chrome: Vec<String>,
}

/// Page layout words.
#[derive(Clone, Debug, Deserialize)]
#[allow(missing_docs)]
pub struct Layout {
    pub furniture: Vec<String>,
}

/// Metadata words.
#[derive(Clone, Debug, Deserialize)]
#[allow(missing_docs)]
pub struct Meta {
    pub title_words: Vec<String>,
    pub not_title: Vec<String>,
    pub agency_suffixes_dropped: Vec<String>,
    pub source_keys: Vec<String>,
}

/// All cues, by the table of `cues.toml` they sit in.
#[derive(Clone, Debug, Deserialize)]
#[allow(missing_docs)]
pub struct Cues {
    pub headings: Headings,
    pub lead_ins: LeadIns,
    pub stops: Stops,
    pub layout: Layout,
    pub meta: Meta,
}

/// The largest cues file accepted, in bytes.
pub const MAX_CUES_BYTES: usize = 256 * 1024;

impl Cues {
    /// Reads a cues file; tables and keys it leaves out keep the compiled-in values.
    pub fn from_toml(text: &str) -> Result<Self, CuesError> {
        if text.len() > MAX_CUES_BYTES {
            return Err(CuesError::Invalid(format!(
                "{} bytes, more than {MAX_CUES_BYTES}",
                text.len()
            )));
        }
        let parse = |s: &str| {
            toml::from_str::<toml::Table>(s).map_err(|e| CuesError::Invalid(e.to_string()))
        };
        let mut merged = parse(DEFAULT_CUES_TOML)?;
        for (table, value) in parse(text)? {
            let toml::Value::Table(keys) = value else {
                return Err(CuesError::Invalid(format!("[{table}] is not a table")));
            };
            let Some(toml::Value::Table(target)) = merged.get_mut(&table) else {
                return Err(CuesError::Invalid(format!("unknown table [{table}]")));
            };
            for (key, list) in keys {
                if !target.contains_key(&key) {
                    return Err(CuesError::Invalid(format!("unknown key {table}.{key}")));
                }
                target.insert(key, list);
            }
        }
        toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| CuesError::Invalid(e.to_string()))
    }
}

impl Default for Cues {
    fn default() -> Self {
        default_cues().clone()
    }
}

/// The compiled-in cues, parsed once.
pub fn default_cues() -> &'static Cues {
    static CUES: OnceLock<Cues> = OnceLock::new();
    CUES.get_or_init(|| Cues::from_toml("").expect("the compiled-in cues.toml is valid"))
}

/// True when `s` contains any of `words`.
pub fn has_any(s: &str, words: &[String]) -> bool {
    words.iter().any(|w| find(s, w).is_some())
}

/// The first byte offset of `needle` in `haystack`: a plain scan for short texts (where
/// setting up `str::find`'s searcher costs more than the search), `str::find` beyond.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    if haystack.len() > 48 {
        // memchr's searcher is vectorised and, unlike `str::find`'s two-way searcher, cheap
        // to set up: cue words are searched for once per sentence, many times per report.
        return memchr::memmem::find(haystack.as_bytes(), needle.as_bytes());
    }
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let (&first, rest) = n.split_first()?;
    if h.len() < n.len() {
        return None;
    }
    let second = rest.first().copied();
    (0..=h.len() - n.len()).find(|&i| {
        h[i] == first && second.is_none_or(|b| h[i + 1] == b) && h[i + 1..i + n.len()] == *rest
    })
}

/// The first of `words` that `s` starts with.
pub fn starts_with_any<'w>(s: &str, words: &'w [String]) -> Option<&'w str> {
    words
        .iter()
        .find(|w| s.starts_with(w.as_str()))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_parses_and_a_replacement_overrides_one_key() {
        let cues = default_cues();
        assert!(cues.headings.problem_words.iter().any(|w| w == "问题"));
        let custom = Cues::from_toml("[headings]\nproblem_words = [\"毛病\"]\n").unwrap();
        assert_eq!(custom.headings.problem_words, vec!["毛病".to_owned()]);
        assert_eq!(custom.headings.next_strong, cues.headings.next_strong);
        assert!(Cues::from_toml("[headings]\nnope = []").is_err());
        assert!(Cues::from_toml("[nope]\nx = []").is_err());
        assert!(Cues::from_toml("not toml = = ").is_err());
        assert!(Cues::from_toml("[headings]\nproblem_words = 3").is_err());
    }
}
