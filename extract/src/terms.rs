//! Terms of a text for comparing passages: jieba word segmentation, domain stop words,
//! and sublinear TF, L2-normalised vectors compared by cosine (recurrence across reports).

use std::{collections::HashMap, sync::LazyLock};

use jieba_rs::Jieba;

/// The segmenter, loaded once (its dictionary takes ~100 ms to build).
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Words every report uses, which say nothing about what a passage is about.
const STOP_WORDS: &[&str] = &[
    "习近平",
    "新时代",
    "中国特色社会主义",
    "思想",
    "法治",
    "法治政府",
    "建设",
    "进一步",
    "加强",
    "工作",
    "推进",
    "推动",
    "我局",
    "我办",
    "全局",
    "不断",
    "持续",
    "坚持",
    "深入",
    "全面",
    "切实",
    "有效",
    "提升",
    "提高",
    "开展",
    "落实",
    "认真",
    "积极",
    "严格",
    "强化",
    "完善",
    "健全",
    "各项",
    "相关",
    "有关",
    "方面",
    "以及",
    "进行",
    "通过",
    "作为",
    "实现",
    "确保",
    "不够",
    "有待",
    "还",
    "仍",
    "存在",
    "问题",
    "不足",
    "能力",
    "水平",
    "机制",
    "体系",
    "一是",
    "二是",
    "三是",
    "重要",
    "精神",
    "党的",
    "二十大",
    "二十届",
    "全会",
    "总书记",
    "贯彻",
    "学习贯彻",
    "机关",
    "事务",
    "部门",
    "单位",
    "方式",
    "形式",
    "情况",
    "要求",
    "注重",
    "着力",
    "努力",
    "更加",
    "更好",
    "继续",
    "以",
    "为",
    "的",
    "和",
    "与",
    "及",
    "在",
    "对",
    "将",
    "等",
    "中",
    "是",
    "了",
    "把",
    "按",
    "于",
    "上",
    "下",
    "年",
    "年度",
    "2024",
    "2025",
    "2026",
    "其",
];

static STOP: LazyLock<std::collections::HashSet<&'static str>> =
    LazyLock::new(|| STOP_WORDS.iter().copied().collect());

/// The content words of `text`.
pub fn tokens(text: &str) -> Vec<&str> {
    JIEBA
        .cut_for_search(text, false)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| {
            let chars = w.chars().count();
            chars >= 2
                && !STOP.contains(w)
                && w.chars().all(|c| c.is_alphanumeric())
                && !w.chars().all(|c| c.is_ascii_digit())
        })
        .collect()
}

/// A sparse, L2-normalised term vector.
pub type Vector = HashMap<String, f64>;

/// Sublinear TF vector of one text (for comparisons across reports, without a collection).
pub fn tf(text: &str) -> Vector {
    let mut tf: HashMap<String, f64> = HashMap::new();
    for t in tokens(text) {
        *tf.entry(t.to_owned()).or_default() += 1.0;
    }
    normalise(tf.into_iter().map(|(t, f)| (t, 1.0 + f.ln())).collect())
}

fn normalise(mut v: Vector) -> Vector {
    let norm = v.values().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        v.values_mut().for_each(|x| *x /= norm);
    }
    v
}

/// Cosine of two normalised vectors (0 when either is empty).
pub fn cosine(a: &Vector, b: &Vector) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(t, x)| large.get(t).map(|y| x * y))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_and_short_tokens_are_dropped() {
        let t = tokens("进一步加强法治宣传教育，创新普法方式。");
        assert!(t.contains(&"宣传教育") || t.contains(&"宣传"), "{t:?}");
        assert!(t.contains(&"普法"), "{t:?}");
        assert!(!t.contains(&"进一步") && !t.contains(&"法治"), "{t:?}");
    }

    #[test]
    fn similar_passages_score_higher_than_unrelated_ones() {
        let a = tf("法治宣传教育方式方法有待创新，普法针对性不强。");
        let b = tf("创新普法宣传模式，增强普法针对性和实效性。");
        let c = tf("健全执法监督机制，规范行政执法程序。");
        assert!(cosine(&a, &b) > cosine(&a, &c));
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-9);
    }
}
