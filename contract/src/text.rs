//! Text helpers a rule needs when it writes a message: joining a list of names or ids.
//!
//! Rhai rules call the same function (`join(array, separator)`), through a wrapper that checks the
//! result's size against the sandbox's limits before it allocates.

/// `items` one after another, `separator` between each two: `join(&["INV-1", "INV-2"], ", ")` is
/// `"INV-1, INV-2"`; no items give the empty string, one item is itself.
///
/// ```
/// use crm_rules_contract::text::join;
///
/// assert_eq!(join(&["INV-1", "INV-2", "INV-3"], ", "), "INV-1, INV-2, INV-3");
/// let ids: Vec<String> = vec!["a".into()];
/// assert_eq!(join(&ids, " / "), "a");
/// ```
pub fn join<S: AsRef<str>>(items: &[S], separator: &str) -> String {
    let mut out = String::with_capacity(joined_len(items, separator));
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        out.push_str(item.as_ref());
    }
    out
}

/// The length in bytes of [`join`]`(items, separator)`, computed without building it (saturating at
/// `usize::MAX`): what a host checks against its limits before it allocates.
pub fn joined_len<S: AsRef<str>>(items: &[S], separator: &str) -> usize {
    let separators = separator
        .len()
        .saturating_mul(items.len().saturating_sub(1));
    items.iter().fold(separators, |total, item| {
        total.saturating_add(item.as_ref().len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_with_the_separator_between_items_only() {
        let none: [&str; 0] = [];
        assert_eq!(join(&none, ", "), "");
        assert_eq!(joined_len(&none, ", "), 0);
        assert_eq!(join(&["a"], ", "), "a");
        assert_eq!(join(&["a", "", "c"], ", "), "a, , c");
        assert_eq!(join(&["a", "b"], ""), "ab");
        assert_eq!(join(&["é", "ü"], " – "), "é – ü");
        for (items, separator) in [
            (vec!["a", "bc", "def"], ", "),
            (vec![], "-"),
            (vec!["x"], "long separator"),
            (vec!["é", "ü"], " – "),
        ] {
            assert_eq!(joined_len(&items, separator), join(&items, separator).len());
        }
    }
}
