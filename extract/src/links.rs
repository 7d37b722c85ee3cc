//! Proposes which commitments address which shortcoming. Each pair is scored by the mean of
//! two cosines of character-bigram TF-IDF vectors: the whole texts, and the shortcoming
//! against the commitment's head (its first characters, where a plan item names its topic).
//! Each shortcoming links to its best commitment, and to others that come close to that best
//! *and* to the best shortcoming of that commitment; a report with a single shortcoming links
//! it to every commitment. (Bigrams rather than jieba words: they scored as well or better on
//! the corpus and the seeds, and cost a fraction.)

use std::{
    collections::HashMap,
    hash::{BuildHasherDefault, Hasher},
};

/// A multiplicative hasher for packed bigrams (already well spread, and never chosen by an
/// adversary to collide: they come from one report): SipHash cost a tenth of the whole
/// extraction of a long report.
#[derive(Default)]
struct BigramHasher(u64);

impl Hasher for BigramHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The weakest score a proposed link may have.
pub const LINK_FLOOR: f64 = 0.005;
/// Besides the best, a commitment is proposed when it scores at least this share of the best…
pub const LINK_RELATIVE: f64 = 0.3;
/// …at least this share of its own best shortcoming's score…
pub const LINK_COLUMN_RELATIVE: f64 = 0.9;
/// …and at least this much.
pub const LINK_SECOND_FLOOR: f64 = 0.02;
/// How many characters of an item are compared (the rest of a very long item adds little).
const MAX_CHARS: usize = 600;
/// How many characters of a commitment make its head.
const HEAD_CHARS: usize = 30;
/// Each shortcoming is compared with at most this many commitments (those nearest its
/// position in the report), so that proposing links stays linear in the report's size.
const MAX_CANDIDATES: usize = 32;

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

fn pack(a: char, b: char) -> u64 {
    (u64::from(a as u32) << 32) | u64::from(b as u32)
}

fn bigrams(text: &str, limit: usize) -> Vec<u64> {
    let stop: Vec<u64> = STOP_BIGRAMS
        .iter()
        .map(|s| {
            let mut c = s.chars();
            pack(c.next().unwrap_or(' '), c.next().unwrap_or(' '))
        })
        .collect();
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    for c in text
        .chars()
        .take(limit)
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
    {
        if let Some(p) = prev {
            let g = pack(p, c);
            if !stop.contains(&g) {
                out.push(g);
            }
        }
        prev = Some(c);
    }
    out
}

/// A sparse vector sorted by term.
type Sparse = Vec<(u64, f64)>;

/// TF-IDF vectors (log tf, smoothed idf, L2-normalised) of bigram documents.
fn vectors(docs: &[Vec<u64>]) -> Vec<Sparse> {
    let counted: Vec<Vec<(u64, usize)>> = docs
        .iter()
        .map(|d| {
            let mut d = d.clone();
            d.sort_unstable();
            let mut out: Vec<(u64, usize)> = Vec::new();
            for g in d {
                match out.last_mut() {
                    Some((last, n)) if *last == g => *n += 1,
                    _ => out.push((g, 1)),
                }
            }
            out
        })
        .collect();
    let mut df: HashMap<u64, usize, BuildHasherDefault<BigramHasher>> = HashMap::default();
    for d in &counted {
        for (g, _) in d {
            *df.entry(*g).or_default() += 1;
        }
    }
    let n = docs.len() as f64;
    counted
        .into_iter()
        .map(|d| {
            let mut v: Sparse = d
                .into_iter()
                .map(|(g, c)| (g, (1.0 + (c as f64).ln()) * (1.0 + n / df[&g] as f64).ln()))
                .collect();
            let norm = v.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, x)| *x /= norm);
            }
            v
        })
        .collect()
}

fn cosine(a: &Sparse, b: &Sparse) -> f64 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// The commitments shortcoming `s` is compared with: all, or the nearest by position.
fn candidates(s: usize, ns: usize, nc: usize) -> std::ops::Range<usize> {
    if nc <= MAX_CANDIDATES {
        return 0..nc;
    }
    let centre = s * nc / ns.max(1);
    let from = centre
        .saturating_sub(MAX_CANDIDATES / 2)
        .min(nc - MAX_CANDIDATES);
    from..from + MAX_CANDIDATES
}

/// Links between `shortcomings` and `commitments` of one report, best first per shortcoming.
pub fn propose(shortcomings: &[&str], commitments: &[&str]) -> Vec<Link> {
    let (ns, nc) = (shortcomings.len(), commitments.len());
    if ns == 0 || nc == 0 {
        return Vec::new();
    }
    let full: Vec<Vec<u64>> = shortcomings
        .iter()
        .chain(commitments)
        .map(|t| bigrams(t, MAX_CHARS))
        .collect();
    let heads: Vec<Vec<u64>> = full[..ns]
        .iter()
        .cloned()
        .chain(commitments.iter().map(|t| bigrams(t, HEAD_CHARS)))
        .collect();
    let (fv, hv) = (vectors(&full), vectors(&heads));
    let score =
        |s: usize, c: usize| 0.5 * cosine(&fv[s], &fv[ns + c]) + 0.5 * cosine(&hv[s], &hv[ns + c]);
    let rows: Vec<Vec<(usize, f64)>> = (0..ns)
        .map(|s| candidates(s, ns, nc).map(|c| (c, score(s, c))).collect())
        .collect();
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    let mut column_best = vec![0.0f64; nc];
    for row in &rows {
        for &(c, v) in row {
            column_best[c] = column_best[c].max(v);
        }
    }
    let mut links = Vec::new();
    for (s, mut row) in rows.into_iter().enumerate() {
        row.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let best = row[0].1;
        for (i, (c, v)) in row.into_iter().enumerate() {
            let keep = if ns == 1 {
                true
            } else {
                (i == 0 && best >= LINK_FLOOR)
                    || (v >= best * LINK_RELATIVE
                        && v >= LINK_SECOND_FLOOR
                        && v >= column_best[c] * LINK_COLUMN_RELATIVE)
            };
            if keep {
                links.push(Link {
                    shortcoming: s,
                    commitment: c,
                    score: round(v),
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
