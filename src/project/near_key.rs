//! Near misses between session keys, for FL106: `usr_id` for `user_id`.

/// A candidate the project writes; on a tie it goes before one a library
/// writes.
pub(crate) const PROJECT: u8 = 0;
pub(crate) const LIBRARY: u8 = 1;

/// The candidate nearest `key`, if one is a near miss of it: the same
/// after case-folding and dropping `_` and `-` (distance 0), or within
/// Damerau-Levenshtein distance 1 for keys of 4 or more characters, 2 for
/// 8 or more. Candidates come with whose they are ([`PROJECT`] or
/// [`LIBRARY`]); ties go to the project's, then the first alphabetically.
pub(crate) fn nearest<'c>(
    key: &str,
    candidates: impl Iterator<Item = (&'c str, u8)>,
) -> Option<&'c str> {
    let folded = fold(key);
    let limit = match key.chars().count() {
        8.. => 2,
        4..=7 => 1,
        _ => 0,
    };
    candidates
        .filter(|(candidate, _)| *candidate != key)
        .filter_map(|(candidate, whose)| {
            let distance = if fold(candidate) == folded {
                0
            } else if limit == 0 {
                return None;
            } else {
                damerau_levenshtein(key, candidate)
            };
            (distance <= limit).then_some((distance, whose, candidate))
        })
        .min()
        .map(|(_, _, candidate)| candidate)
}

fn fold(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The optimal string alignment distance (insertions, deletions,
/// substitutions and transpositions of neighbours), by characters.
fn damerau_levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Keys this far apart in length are no near miss; skip the table.
    if a.len().abs_diff(b.len()) > 2 {
        return usize::MAX;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn near<'c>(key: &str, written: &[&'c str]) -> Option<&'c str> {
        nearest(key, written.iter().map(|w| (*w, PROJECT)))
    }

    #[test]
    fn the_near_miss_matrix() {
        // Case and separators, at any length.
        assert_eq!(near("UserID", &["user_id"]), Some("user_id"));
        assert_eq!(near("ab", &["a-b"]), Some("a-b"));
        // One edit for 4+ characters, two for 8+.
        assert_eq!(near("usr_id", &["user_id"]), Some("user_id"));
        assert_eq!(near("crat", &["cart"]), Some("cart"));
        assert_eq!(
            near("shoping_crt", &["shopping_cart"]),
            Some("shopping_cart")
        );
        assert_eq!(near("crta", &["cart"]), None);
        // Short keys never by distance.
        assert_eq!(near("ab", &["ac"]), None);
        assert_eq!(near("abc", &["abd"]), None);
        // The nearest wins, ties alphabetically.
        assert_eq!(near("carts", &["parts", "carts2", "cart"]), Some("cart"));
        // The project's key before a library's.
        let candidates = [("_user_id", LIBRARY), ("user_id", PROJECT)];
        assert_eq!(nearest("UserId", candidates.into_iter()), Some("user_id"));
    }

    #[test]
    fn transpositions_count_once() {
        assert_eq!(damerau_levenshtein("ab", "ba"), 1);
        assert_eq!(damerau_levenshtein("cart", "crat"), 1);
        assert_eq!(damerau_levenshtein("kitten", "sitting"), 3);
    }
}
