//! "Did you mean" for names a script or an input got wrong.

/// The candidate nearest to `word` by edit distance, if it is close enough to be a typo
/// (at most one edit in three characters).
pub fn closest<'a>(candidates: impl Iterator<Item = &'a str>, word: &str) -> Option<&'a str> {
    candidates
        .map(|candidate| (edit_distance(candidate, word), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(word.len()) / 3).max(1))
        .min()
        .map(|(_, candidate)| candidate)
}

/// Edit distance over characters counting a swap of two neighbours as one edit (the optimal string
/// alignment distance): `stauts` is one edit from `status`, as a typist would count it.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Rows i-2, i-1 and i of the distance table.
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i);
        for j in 1..=b.len() {
            let at = |row: &[usize], k: usize| row.get(k).copied().unwrap_or(usize::MAX - 1);
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (at(&previous, j - 1) + cost)
                .min(at(&previous, j) + 1)
                .min(at(&current, j - 1) + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(at(&before, j - 2) + 1);
            }
            current.push(best);
        }
        before = std::mem::replace(&mut previous, current);
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
