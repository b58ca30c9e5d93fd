//! "Did you mean …?": the known name nearest a mistyped one.

/// Edits (insertions, deletions, substitutions and swaps of two neighbours)
/// that turn `a` into `b`, case ignored: the optimal string alignment
/// distance.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// The candidate `word` was most likely meant as: the nearest within a
/// third of its length (at least two edits), or one that contains it or is
/// contained in it (`virginia` for `us-virginia`). `None` when nothing is
/// close, or `word` is itself a candidate.
pub(crate) fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if candidates.contains(&word) || word.is_empty() {
        return None;
    }
    let lower = word.to_lowercase();
    let allowed = (word.chars().count() / 3).max(2);
    candidates
        .iter()
        .map(|&c| (distance(word, c), c))
        .filter(|&(d, c)| {
            let candidate = c.to_lowercase();
            d <= allowed
                || (lower.len() >= 3 && (candidate.contains(&lower) || lower.contains(&candidate)))
        })
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

/// `" (did you mean "x"?)"`, or nothing.
pub fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    nearest(word, candidates).map_or_else(String::new, |c| format!(" (did you mean {c:?}?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_the_name_meant() {
        let fields = ["pue", "gpu_life_quarters", "capability_rate"];
        assert_eq!(nearest("peu", &fields), Some("pue"));
        assert_eq!(
            nearest("gpu_lfe_quarters", &fields),
            Some("gpu_life_quarters")
        );
        assert_eq!(nearest("zzz", &fields), None);
        assert_eq!(
            nearest("pue", &fields),
            None,
            "a known name needs no suggestion"
        );
        let regions = ["us-virginia", "us-texas", "eu-nordics"];
        assert_eq!(nearest("virginia", &regions), Some("us-virginia"));
        assert_eq!(
            nearest("frontier-A", &["frontier-a", "frontier-b"]),
            Some("frontier-a")
        );
        assert_eq!(
            did_you_mean("wrold", &["world", "scenario"]),
            " (did you mean \"world\"?)"
        );
    }

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(distance("run", "run"), 0);
        assert_eq!(distance("rnu", "run"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
    }
}
