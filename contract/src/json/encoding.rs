//! From bytes to JSON text: the UTF-8 check, with a byte-order mark skipped and UTF-16 recognised.
//!
//! Files saved by Windows tools often start with a UTF-8 byte-order mark (`EF BB BF`); it carries
//! no meaning in UTF-8 and is skipped (RFC 8259 allows a parser to ignore it). Text saved as UTF-16
//! (a `FF FE` or `FE FF` mark, or NUL bytes between ASCII characters) is refused with a hint to save
//! it as UTF-8, instead of an error about its first NUL byte. Any other byte sequence that is not
//! UTF-8 is an error naming the line and column of the first bad byte, like a JSON syntax error.

use super::error::InputError;

/// The UTF-8 encoding of U+FEFF, the byte-order mark.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How many leading bytes are looked at to recognise UTF-16 without a byte-order mark.
const SNIFF_BYTES: usize = 64;

/// The text of a JSON document given as bytes: a leading UTF-8 byte-order mark is skipped.
///
/// # Errors
/// UTF-16 input (`the input looks like UTF-16; save it as UTF-8`), and bytes that are not UTF-8
/// (`line 2 column 11: the input is not valid UTF-8 (byte 0xC3)`).
pub fn text_from_bytes(bytes: &[u8]) -> Result<&str, InputError> {
    text_from_bytes_at(bytes, 1)
}

/// [`text_from_bytes`] for bytes that start on line `first_line` of a larger file (one line of an
/// NDJSON book), so that the line in an error message is the file's.
///
/// # Errors
/// As [`text_from_bytes`].
pub fn text_from_bytes_at(bytes: &[u8], first_line: u64) -> Result<&str, InputError> {
    if looks_like_utf16(bytes) {
        return Err(InputError::new(
            "",
            "the input looks like UTF-16; save it as UTF-8",
        ));
    }
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| not_utf8(bytes, error.valid_up_to(), first_line))
}

/// A UTF-16 (or UTF-32) byte-order mark, or NUL bytes making up a quarter or more of the first
/// bytes. Valid JSON never holds a raw NUL byte, so no JSON document is mistaken for UTF-16.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return true;
    }
    let head = bytes.get(..SNIFF_BYTES).unwrap_or(bytes);
    let nuls = head.iter().filter(|byte| **byte == 0).count();
    nuls > 0 && nuls * 4 >= head.len()
}

/// `line {l} column {c}: the input is not valid UTF-8 (byte 0x{b})`, located like serde_json's
/// syntax errors, counting lines from `first_line`.
fn not_utf8(bytes: &[u8], valid_up_to: usize, first_line: u64) -> InputError {
    let before = bytes.get(..valid_up_to).unwrap_or(bytes);
    let newlines = before.iter().filter(|byte| **byte == b'\n').count() as u64;
    let line = first_line.saturating_add(newlines);
    let line_start = before
        .iter()
        .rposition(|byte| *byte == b'\n')
        .map_or(0, |newline| newline + 1);
    let column = valid_up_to - line_start + 1;
    let bad = bytes.get(valid_up_to).copied().unwrap_or_default();
    InputError::new(
        "",
        format!("line {line} column {column}: the input is not valid UTF-8 (byte 0x{bad:02X})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf8_byte_order_mark_is_skipped() {
        assert_eq!(text_from_bytes(b"\xEF\xBB\xBF{}").unwrap(), "{}");
        assert_eq!(text_from_bytes(b"{}").unwrap(), "{}");
    }

    #[test]
    fn utf16_is_recognised_with_or_without_a_byte_order_mark() {
        let hint = "the input looks like UTF-16; save it as UTF-8";
        for bytes in [
            &b"\xFF\xFE{\0}\0"[..],
            b"\xFE\xFF\0{\0}",
            b"{\0\"\0n\0o\0w\0\"\0",
            b"\0{\0\"\0n\0o\0w\0\"",
            b"\0\0\0{",
        ] {
            assert_eq!(text_from_bytes(bytes).unwrap_err().to_string(), hint);
        }
    }

    #[test]
    fn a_stray_nul_in_a_long_document_is_left_to_the_json_parser() {
        let mut bytes = br#"{"account": {"name": "#.to_vec();
        bytes.push(0);
        bytes.extend_from_slice(br#""}, "now": "2026-03-17T14:00:00Z"}"#);
        assert!(text_from_bytes(&bytes).is_ok());
    }

    #[test]
    fn bad_bytes_are_located_from_the_first_line_given() {
        let error = text_from_bytes(b"{\n  \"now\": \"\xC3\x28\"}").unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 2 column 11: the input is not valid UTF-8 (byte 0xC3)"
        );
        let error = text_from_bytes_at(b"{\"a\": \"\xFF\"}", 150).unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 150 column 8: the input is not valid UTF-8 (byte 0xFF)"
        );
        let error = text_from_bytes(b"\xEF\xBB\xBF\xFF").unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 1 column 1: the input is not valid UTF-8 (byte 0xFF)"
        );
    }
}
