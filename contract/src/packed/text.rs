//! A text out of a packed buffer, as an owned `String`: the one step of unpacking that runs for
//! every id, key, number and currency code of a context, so its cost is most of what unpacking
//! costs a component.
//!
//! Two general-purpose steps are slow for such short texts inside a component. `str::from_utf8`
//! checks byte by byte until it reaches an aligned block, which a text of a few bytes never does;
//! and copying a slice of unknown length compiles to wasm's `memory.copy`, which wasmtime carries
//! out as a call into the host, a hundred-odd instructions before the first byte moves. Most texts
//! of a context are ASCII and under [`SHORT`] bytes: for those, [`owned`] checks eight bytes at a
//! time (`is_ascii`) and copies eight bytes at a time, and every other text takes the general path.

/// The longest text copied word by word; a longer one is copied in one `memory.copy`, whose fixed
/// cost it outweighs.
const SHORT: usize = 64;

/// `bytes` as an owned text, or `None` if they are not UTF-8.
pub(super) fn owned(bytes: &[u8]) -> Option<String> {
    if bytes.len() > SHORT || !bytes.is_ascii() {
        return core::str::from_utf8(bytes).ok().map(str::to_owned);
    }
    Some(short_ascii(bytes))
}

/// A copy of `bytes`, which are ASCII and at most [`SHORT`] long.
#[allow(
    unsafe_code,
    reason = "skips validating again text whose every byte was just checked to be ASCII"
)]
fn short_ascii(bytes: &[u8]) -> String {
    let mut copy = Vec::with_capacity(bytes.len());
    let (words, tail) = bytes.as_chunks::<8>();
    for word in words {
        copy.extend_from_slice(word);
    }
    for &byte in tail {
        copy.push(byte);
    }
    debug_assert!(copy.is_ascii());
    // SAFETY: every byte of `copy` is a byte of `bytes`, which the caller checked are all ASCII,
    // and a string of ASCII bytes is UTF-8.
    unsafe { String::from_utf8_unchecked(copy) }
}

#[cfg(test)]
mod tests {
    use super::{SHORT, owned};

    #[test]
    fn every_length_around_the_word_and_the_short_limit_copies_exactly() {
        let source: Vec<u8> = (0..=SHORT as u8 + 9).map(|i| b'a' + i % 26).collect();
        for length in 0..source.len() {
            let bytes = &source[..length];
            assert_eq!(owned(bytes).as_deref().map(str::as_bytes), Some(bytes));
        }
    }

    #[test]
    fn text_beyond_ascii_is_checked_and_kept_whole() {
        for text in ["Zoë", "€ 1.000,00", "日本の請求書", &"ü".repeat(SHORT)] {
            assert_eq!(owned(text.as_bytes()).as_deref(), Some(text));
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_short_or_long() {
        for bytes in [&b"ok\xffok"[..], b"\xc3", &[b'x'; SHORT + 3][..SHORT + 2]] {
            let mut bad = bytes.to_vec();
            if bad.len() > SHORT {
                bad.push(0xfe);
            }
            assert_eq!(owned(&bad), None, "{bad:?}");
        }
    }
}
