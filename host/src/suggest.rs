//! "Did you mean" for names a script or an input got wrong.

/// The candidate nearest to `word` by edit distance, if it is close enough to be a typo.
pub(crate) fn closest<'a>(
    candidates: impl Iterator<Item = &'a str>,
    word: &str,
) -> Option<&'a str> {
    candidates
        .map(|candidate| (edit_distance(candidate, word), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(word.len()) / 3).max(1))
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters (transposition counts two).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, left) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, right) in b.iter().enumerate() {
            let substitute = previous.get(j).copied().unwrap_or(0) + usize::from(left != *right);
            let delete = previous.get(j + 1).copied().unwrap_or(0) + 1;
            let insert = current.get(j).copied().unwrap_or(0) + 1;
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_field() {
        let fields = ["status", "due_date", "amount_due", "id"];
        assert_eq!(closest(fields.into_iter(), "stauts"), Some("status"));
        assert_eq!(closest(fields.into_iter(), "due_dat"), Some("due_date"));
        assert_eq!(closest(fields.into_iter(), "customer"), None);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
