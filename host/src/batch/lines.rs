//! Splitting a book into lines with a bounded buffer: a line longer than the limit is counted and
//! skipped, never held in memory, so a book's memory use does not depend on its longest line.

use std::io::{self, BufRead, Read as _};

/// How much of an oversized line is read at a time while it is skipped.
const SKIP_STEP: u64 = 64 << 10;

/// One line of a book, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawLine {
    /// The line's bytes, without its `\n` and without the `\r` of a `\r\n` ending.
    Bytes(Vec<u8>),
    /// A line longer than the limit: only its length (without the line ending) was kept.
    TooLong(u64),
}

/// Reads the lines of `input`, keeping at most `limit` bytes of any line (plus its line ending).
///
/// Lines end at `\n`; a `\r` before it is dropped; the last line needs no newline. Each line yields
/// exactly one [`RawLine`], so line numbers are the input's.
pub(crate) struct LineReader<R> {
    input: R,
    limit: usize,
}

impl<R: BufRead> LineReader<R> {
    /// A reader of `input` that refuses lines longer than `limit` bytes.
    pub(crate) fn new(input: R, limit: usize) -> LineReader<R> {
        LineReader { input, limit }
    }

    /// The next line, or `None` at the end of the input.
    ///
    /// # Errors
    /// Only I/O errors reading the input.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<RawLine>> {
        // Room for a line of `limit` bytes and its `\r\n`: reading stops there.
        let cap = (self.limit as u64).saturating_add(2);
        let mut line = Vec::new();
        let read = (&mut self.input).take(cap).read_until(b'\n', &mut line)? as u64;
        if read == 0 {
            return Ok(None);
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        } else if read == cap {
            let last = line.last().copied();
            drop(line);
            return self
                .skip_rest(read, last)
                .map(|length| Some(RawLine::TooLong(length)));
        } else if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(Some(if line.len() > self.limit {
            RawLine::TooLong(line.len() as u64)
        } else {
            RawLine::Bytes(line)
        }))
    }

    /// Reads and drops the rest of a line of which `read` bytes were read already, the last of them
    /// `last`, in steps of [`SKIP_STEP`]; returns the line's length without its line ending.
    fn skip_rest(&mut self, mut read: u64, mut last: Option<u8>) -> io::Result<u64> {
        let mut scratch = Vec::new();
        loop {
            scratch.clear();
            let step = (&mut self.input)
                .take(SKIP_STEP)
                .read_until(b'\n', &mut scratch)?;
            read += step as u64;
            match scratch.last() {
                Some(b'\n') => {
                    let before = match scratch.len().checked_sub(2) {
                        Some(index) => scratch.get(index).copied(),
                        None => last,
                    };
                    let ending = if before == Some(b'\r') { 2 } else { 1 };
                    return Ok(read - ending);
                }
                Some(byte) => last = Some(*byte),
                None => {
                    let ending = u64::from(last == Some(b'\r'));
                    return Ok(read - ending);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], limit: usize, buffer: usize) -> Vec<RawLine> {
        let mut reader = LineReader::new(io::BufReader::with_capacity(buffer, input), limit);
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().unwrap() {
            out.push(line);
        }
        out
    }

    fn bytes(text: &str) -> RawLine {
        RawLine::Bytes(text.as_bytes().to_vec())
    }

    #[test]
    fn every_line_is_yielded_once_whatever_its_ending() {
        for buffer in [1, 2, 3, 7, 64] {
            let got = lines(b"a\r\n\nbc\r\r\n\r\nlast", 10, buffer);
            let want = vec![
                bytes("a"),
                bytes(""),
                bytes("bc\r"),
                bytes(""),
                bytes("last"),
            ];
            assert_eq!(got, want, "buffer of {buffer}");
            assert_eq!(lines(b"one\n", 10, buffer), vec![bytes("one")]);
            assert_eq!(lines(b"one\r", 10, buffer), vec![bytes("one")]);
            assert!(lines(b"", 10, buffer).is_empty());
        }
    }

    #[test]
    fn lines_over_the_limit_are_counted_and_skipped() {
        for buffer in [1, 3, 16] {
            let input = b"12345\n123456\r\n1234567\n12345\r\n1234567890123\r";
            let got = lines(input, 5, buffer);
            let want = vec![
                bytes("12345"),
                RawLine::TooLong(6),
                RawLine::TooLong(7),
                bytes("12345"),
                RawLine::TooLong(13),
            ];
            assert_eq!(got, want, "buffer of {buffer}");
        }
    }

    #[test]
    fn a_huge_line_is_skipped_in_bounded_steps() {
        // 64 MiB without a newline, then a short line: never held, only counted.
        let huge = io::repeat(b'x').take(64 << 20).chain(&b"\n{}\n"[..]);
        let mut reader = LineReader::new(io::BufReader::with_capacity(1 << 16, huge), 1 << 10);
        assert_eq!(
            reader.next_line().unwrap(),
            Some(RawLine::TooLong(64 << 20))
        );
        assert_eq!(reader.next_line().unwrap(), Some(bytes("{}")));
        assert_eq!(reader.next_line().unwrap(), None);
    }
}
