//! A text out of a packed buffer, as an owned `String`: the one step of unpacking that runs for
//! every id, key, number and currency code of a context, so its cost is most of what unpacking
//! costs a component.
//!
//! `str::from_utf8` checks byte by byte until it reaches an aligned block, which a text of a few
//! bytes never does; in a component that was a seventh of all the instructions of an evaluation of
//! E1. Most texts of a context are ASCII, and `is_ascii` checks a word at a time from the first
//! byte, so [`owned`] asks it first and leaves the full check to the texts it refuses.

/// `bytes` as an owned text, or `None` if they are not UTF-8.
pub(super) fn owned(bytes: &[u8]) -> Option<String> {
    if bytes.is_ascii() {
        Some(ascii(bytes))
    } else {
        core::str::from_utf8(bytes).ok().map(str::to_owned)
    }
}

/// A copy of `bytes`, which are all ASCII.
#[allow(
    unsafe_code,
    reason = "skips validating again text whose every byte was just checked to be ASCII"
)]
fn ascii(bytes: &[u8]) -> String {
    debug_assert!(bytes.is_ascii());
    // SAFETY: the caller checked that every byte of `bytes` is ASCII, and ASCII is UTF-8.
    unsafe { String::from_utf8_unchecked(bytes.to_vec()) }
}

#[cfg(test)]
mod tests {
    use super::owned;

    #[test]
    fn ascii_of_every_length_around_a_word_copies_exactly() {
        let source: Vec<u8> = (0..80u8).map(|i| b'a' + i % 26).collect();
        for length in 0..source.len() {
            let bytes = &source[..length];
            assert_eq!(owned(bytes).as_deref().map(str::as_bytes), Some(bytes));
        }
    }

    #[test]
    fn text_beyond_ascii_is_checked_and_kept_whole() {
        for text in ["Zoë", "€ 1.000,00", "日本の請求書", &"ü".repeat(40)] {
            assert_eq!(owned(text.as_bytes()).as_deref(), Some(text));
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_short_or_long() {
        let long = [&[b'x'; 70][..], b"\xfe"].concat();
        for bad in [&b"ok\xffok"[..], b"\xc3", b"\x80", &long] {
            assert_eq!(owned(bad), None, "{bad:?}");
        }
    }
}
