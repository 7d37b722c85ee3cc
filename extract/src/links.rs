//! Proposes which commitments address which shortcoming: each shortcoming is compared with
//! every commitment of the same report by TF-IDF cosine; the best match is proposed when it
//! clears a floor, and others when they come close to the best.

use crate::terms;

/// The weakest score a proposed link may have.
pub const LINK_FLOOR: f64 = 0.03;
/// Besides the best, a commitment is proposed when it scores at least this share of the best…
pub const LINK_RELATIVE: f64 = 0.45;
/// …and at least this much.
pub const LINK_SECOND_FLOOR: f64 = 0.04;

/// A proposed link: indexes into the report's shortcomings and commitments, and a score (0–1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub shortcoming: usize,
    pub commitment: usize,
    pub score: f64,
}

/// Links between `shortcomings` and `commitments` of one report, best first per shortcoming.
pub fn propose(shortcomings: &[&str], commitments: &[&str]) -> Vec<Link> {
    if shortcomings.is_empty() || commitments.is_empty() {
        return Vec::new();
    }
    let docs: Vec<Vec<&str>> = shortcomings
        .iter()
        .chain(commitments)
        .map(|t| terms::tokens(t))
        .collect();
    let vectors = terms::tfidf(&docs);
    let (short_v, commit_v) = vectors.split_at(shortcomings.len());
    let mut links = Vec::new();
    for (s, sv) in short_v.iter().enumerate() {
        let mut scored: Vec<(usize, f64)> = commit_v
            .iter()
            .enumerate()
            .map(|(c, cv)| (c, terms::cosine(sv, cv)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let best = scored[0].1;
        if best < LINK_FLOOR {
            continue;
        }
        for (i, (c, score)) in scored.into_iter().enumerate() {
            if i == 0 || (score >= best * LINK_RELATIVE && score >= LINK_SECOND_FLOOR) {
                links.push(Link {
                    shortcoming: s,
                    commitment: c,
                    score: (score * 1000.0).round() / 1000.0,
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
