//! Proposes which commitments address which shortcoming. Each pair is scored by a blend of
//! three cosines: TF-IDF over jieba words of the whole texts, TF-IDF over character bigrams
//! of the whole texts, and the same bigrams against the commitment's head (its first
//! characters, where a plan item names its topic). Each shortcoming links to its best
//! commitment, and to others that come close to that best *and* to the best shortcoming of
//! that commitment; a report with a single shortcoming links it to every commitment.

use std::collections::HashMap;

use crate::terms;

/// The weakest score a proposed link may have.
pub const LINK_FLOOR: f64 = 0.02;
/// Besides the best, a commitment is proposed when it scores at least this share of the best…
pub const LINK_RELATIVE: f64 = 0.4;
/// …at least this share of its own best shortcoming's score…
pub const LINK_COLUMN_RELATIVE: f64 = 0.9;
/// …and at least this much.
pub const LINK_SECOND_FLOOR: f64 = 0.035;
/// Weights of the word, bigram and head-bigram cosines.
const WEIGHTS: (f64, f64, f64) = (0.4, 0.3, 0.3);
/// How many characters of a commitment make its head.
const HEAD_CHARS: usize = 30;

/// A proposed link: indexes into the report's shortcomings and commitments, and a score (0–1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub shortcoming: usize,
    pub commitment: usize,
    pub score: f64,
}

/// Character pairs that every report uses and that say nothing about a topic.
const STOP_BIGRAMS: &[&str] = &[
    "进一", "一步", "工作", "推进", "加强", "提升", "提高", "开展", "落实", "持续", "不断", "全面",
    "切实", "有效", "存在", "问题", "有待", "不够", "我们", "以下", "方面",
];

fn bigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .collect();
    chars
        .windows(2)
        .map(|w| w.iter().collect::<String>())
        .filter(|g| !STOP_BIGRAMS.iter().any(|s| g == s))
        .collect()
}

type Sparse = HashMap<String, f64>;

/// TF-IDF vectors (log tf, smoothed idf, L2-normalised) of bigram documents.
fn bigram_vectors(docs: &[Vec<String>]) -> Vec<Sparse> {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for d in docs {
        let mut seen: Vec<&str> = d.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for g in seen {
            *df.entry(g).or_default() += 1;
        }
    }
    let n = docs.len() as f64;
    docs.iter()
        .map(|d| {
            let mut tf: HashMap<&str, usize> = HashMap::new();
            for g in d {
                *tf.entry(g.as_str()).or_default() += 1;
            }
            let mut v: Sparse = tf
                .into_iter()
                .map(|(g, c)| {
                    let idf = (1.0 + n / df[g] as f64).ln();
                    (g.to_owned(), (1.0 + (c as f64).ln()) * idf)
                })
                .collect();
            let norm = v.values().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.values_mut().for_each(|x| *x /= norm);
            }
            v
        })
        .collect()
}

fn sparse_cosine(a: &Sparse, b: &Sparse) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .map(|(k, x)| x * large.get(k).copied().unwrap_or(0.0))
        .sum()
}

/// The blended score of every (shortcoming, commitment) pair.
fn scores(shortcomings: &[&str], commitments: &[&str]) -> Vec<Vec<f64>> {
    let ns = shortcomings.len();
    let words: Vec<Vec<&str>> = shortcomings
        .iter()
        .chain(commitments)
        .map(|t| terms::tokens(t))
        .collect();
    let wv = terms::tfidf(&words);
    let full: Vec<Vec<String>> = shortcomings
        .iter()
        .chain(commitments)
        .map(|t| bigrams(t))
        .collect();
    let bv = bigram_vectors(&full);
    let heads: Vec<Vec<String>> = shortcomings
        .iter()
        .map(|t| bigrams(t))
        .chain(commitments.iter().map(|t| {
            let head: String = t.chars().take(HEAD_CHARS).collect();
            bigrams(&head)
        }))
        .collect();
    let hv = bigram_vectors(&heads);
    let (ww, wb, wh) = WEIGHTS;
    (0..ns)
        .map(|s| {
            (0..commitments.len())
                .map(|c| {
                    ww * terms::cosine(&wv[s], &wv[ns + c]).max(0.0)
                        + wb * sparse_cosine(&bv[s], &bv[ns + c])
                        + wh * sparse_cosine(&hv[s], &hv[ns + c])
                })
                .collect()
        })
        .collect()
}

/// Links between `shortcomings` and `commitments` of one report, best first per shortcoming.
pub fn propose(shortcomings: &[&str], commitments: &[&str]) -> Vec<Link> {
    if shortcomings.is_empty() || commitments.is_empty() {
        return Vec::new();
    }
    let m = scores(shortcomings, commitments);
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    let mut links = Vec::new();
    if shortcomings.len() == 1 {
        let mut row: Vec<(usize, f64)> = m[0].iter().copied().enumerate().collect();
        row.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        return row
            .into_iter()
            .map(|(c, score)| Link {
                shortcoming: 0,
                commitment: c,
                score: round(score),
            })
            .collect();
    }
    let column_best: Vec<f64> = (0..commitments.len())
        .map(|c| m.iter().map(|row| row[c]).fold(0.0, f64::max))
        .collect();
    for (s, row) in m.iter().enumerate() {
        let mut scored: Vec<(usize, f64)> = row.iter().copied().enumerate().collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let best = scored[0].1;
        if best < LINK_FLOOR {
            continue;
        }
        for (i, (c, score)) in scored.into_iter().enumerate() {
            if i == 0
                || (score >= best * LINK_RELATIVE
                    && score >= LINK_SECOND_FLOOR
                    && score >= column_best[c] * LINK_COLUMN_RELATIVE)
            {
                links.push(Link {
                    shortcoming: s,
                    commitment: c,
                    score: round(score),
                });
            }
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shortcoming_links_to_the_commitment_on_its_topic() {
        let shortcomings = [
            "普法宣传方式单一，针对性不强。",
            "执法人员专业能力不足，培训较少。",
        ];
        let commitments = [
            "加强执法人员培训，提升执法专业能力。",
            "创新普法宣传方式，增强针对性。",
        ];
        let links = propose(&shortcomings, &commitments);
        let pairs: Vec<(usize, usize)> = links
            .iter()
            .map(|l| (l.shortcoming, l.commitment))
            .collect();
        assert!(
            pairs.contains(&(0, 1)) && pairs.contains(&(1, 0)),
            "{links:?}"
        );
        assert!(
            !pairs.contains(&(0, 0)) && !pairs.contains(&(1, 1)),
            "{links:?}"
        );
    }

    #[test]
    fn no_commitments_means_no_links() {
        assert!(propose(&["问题"], &[]).is_empty());
    }
}

