//! Near misses between session keys, for FL106: `usr_id` for `user_id`.

/// A candidate the project writes; on a tie it goes before one a library
/// writes.
pub(crate) const PROJECT: u8 = 0;
pub(crate) const LIBRARY: u8 = 1;

/// A written key, ready to be compared: folded once, not per question.
#[derive(Debug)]
pub(crate) struct Candidate {
    pub(crate) key: String,
    folded: String,
    chars: Vec<char>,
    /// Which characters it has (see [`mask`]).
    mask: u64,
    whose: u8,
}

impl Candidate {
    pub(crate) fn new(key: &str, whose: u8) -> Self {
        Self {
            key: key.to_string(),
            folded: fold(key),
            chars: key.chars().collect(),
            mask: mask(key),
            whose,
        }
    }
}

/// The candidate nearest `key`, if one is a near miss of it: the same
/// after case-folding and dropping `_` and `-` (distance 0), or within
/// Damerau-Levenshtein distance 1 for keys of 4 or more characters, 2 for
/// 8 or more. Candidates come with whose they are ([`PROJECT`] or
/// [`LIBRARY`]); ties go to the project's, then the first alphabetically.
pub(crate) fn nearest<'c>(key: &str, candidates: &'c [Candidate]) -> Option<&'c Candidate> {
    let folded = fold(key);
    let chars: Vec<char> = key.chars().collect();
    let key_mask = mask(key);
    let limit = match chars.len() {
        8.. => 2,
        4..=7 => 1,
        _ => 0,
    };
    candidates
        .iter()
        .filter(|candidate| candidate.key != key)
        .filter_map(|candidate| {
            let distance = if candidate.folded == folded {
                0
            } else {
                // Each edit brings at most one character the other lacks:
                // keys with more such characters are no near miss.
                let only_key = (key_mask & !candidate.mask).count_ones() as usize;
                let only_candidate = (candidate.mask & !key_mask).count_ones() as usize;
                if only_key > limit || only_candidate > limit {
                    return None;
                }
                within(&chars, &candidate.chars, limit)?
            };
            Some((
                (distance, candidate.whose, candidate.key.as_str()),
                candidate,
            ))
        })
        .min_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// A bit for each character a key has, by its code modulo 64 (two
/// characters may share a bit, which only lets more keys through).
fn mask(key: &str) -> u64 {
    key.chars()
        .fold(0, |mask, c| mask | 1 << (u32::from(c) % 64))
}

fn fold(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The optimal string alignment distance (insertions, deletions,
/// substitutions and transpositions of neighbours) between `a` and `b`,
/// when it is at most `limit` (1 or 2; 0 compares nothing). Only the band
/// of cells within `limit` of the diagonal is computed, and the rows stop
/// as soon as every cell of one exceeds the limit.
fn within(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if limit == 0 || a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // Keys are short: the rows live on the stack when they fit.
    const ON_STACK: usize = 64;
    let width = b.len() + 1;
    if width <= ON_STACK {
        let mut rows = [[0usize; ON_STACK]; 3];
        let [before, previous, current] = &mut rows;
        banded(
            a,
            b,
            limit,
            &mut before[..width],
            &mut previous[..width],
            &mut current[..width],
        )
    } else {
        let (mut before, mut previous, mut current) =
            (vec![0; width], vec![0; width], vec![0; width]);
        banded(a, b, limit, &mut before, &mut previous, &mut current)
    }
}

/// The banded distance over three rows of `b.len() + 1` cells.
fn banded<'r>(
    a: &[char],
    b: &[char],
    limit: usize,
    mut before: &'r mut [usize],
    mut previous: &'r mut [usize],
    mut current: &'r mut [usize],
) -> Option<usize> {
    let far = limit + 1;
    before.fill(far);
    for (j, cell) in previous.iter_mut().enumerate() {
        *cell = j.min(far);
    }
    for i in 1..=a.len() {
        current.fill(far);
        if i <= limit {
            current[0] = i;
        }
        let low = i.saturating_sub(limit).max(1);
        let high = (i + limit).min(b.len());
        let mut best = current[0];
        for j in low..=high {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut cell = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cell = cell.min(before[j - 2] + 1);
            }
            current[j] = cell.min(far);
            best = best.min(current[j]);
        }
        if best > limit {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= limit).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near<'w>(key: &str, written: &[&'w str]) -> Option<&'w str> {
        let candidates: Vec<Candidate> =
            written.iter().map(|w| Candidate::new(w, PROJECT)).collect();
        let found = nearest(key, &candidates)?;
        written.iter().copied().find(|w| *w == found.key)
    }

    fn distance(a: &str, b: &str) -> Option<usize> {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        within(&a, &b, 2)
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
        assert_eq!(near("shopping", &["shopXXng"]), Some("shopXXng"));
        assert_eq!(near("shopping", &["shXXXing"]), None);
        // Short keys never by distance.
        assert_eq!(near("ab", &["ac"]), None);
        assert_eq!(near("abc", &["abd"]), None);
        // The nearest wins, ties alphabetically.
        assert_eq!(near("carts", &["parts", "carts2", "cart"]), Some("cart"));
        // The project's key before a library's.
        let candidates = [
            Candidate::new("_user_id", LIBRARY),
            Candidate::new("user_id", PROJECT),
        ];
        let found = nearest("UserId", &candidates).map(|c| c.key.as_str());
        assert_eq!(found, Some("user_id"));
    }

    #[test]
    fn distances_within_the_band() {
        assert_eq!(distance("ab", "ba"), Some(1));
        assert_eq!(distance("cart", "crat"), Some(1));
        assert_eq!(distance("cart", "cart"), Some(0));
        assert_eq!(distance("kitten", "sitting"), None);
        assert_eq!(distance("abcdef", "abcd"), Some(2));
        assert_eq!(distance("abcdef", "abc"), None);
        assert_eq!(distance("user_id", "usr_di"), Some(2));
    }
}
