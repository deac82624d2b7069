//! Where the commands write: handles whose errors are returned to the caller, never a panic.
//!
//! A reader that goes away early (`crm-rules test -v PACK | head -1`) closes the pipe: that is not
//! an error. Like ripgrep, the command stops writing there, quietly; unlike a crash, it still
//! finishes its run so that it exits with the code the run would have had (a failing fixture is
//! still exit 1). Every other write error (a full disk: `> /dev/full`) is returned, with the name of
//! the stream in its message, and `main` reports it and exits with 2.

use std::io::{self, BufWriter, ErrorKind, Stderr, Stdout, Write};

/// A writer that discards everything once its reader has gone (a broken pipe), and names itself in
/// every other error.
#[derive(Debug)]
pub struct Sink<W> {
    inner: W,
    /// `standard output`, or the file's path: for error messages.
    name: String,
    /// Whether the reader went away.
    closed: bool,
}

impl<W: Write> Sink<W> {
    /// A sink writing to `inner`, called `name` in error messages.
    pub fn new(inner: W, name: impl Into<String>) -> Sink<W> {
        Sink {
            inner,
            name: name.into(),
            closed: false,
        }
    }

    /// Applies one write or flush, turning a broken pipe into the end of the output.
    fn guard<T>(&mut self, done: T, result: io::Result<T>) -> io::Result<T> {
        match result {
            Ok(value) => Ok(value),
            Err(error) if error.kind() == ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(done)
            }
            Err(error) => Err(io::Error::new(
                error.kind(),
                format!("failed to write to {}: {error}", self.name),
            )),
        }
    }
}

impl<W: Write> Write for Sink<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.guard(buf.len(), result)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.guard((), result)
    }
}

/// Standard output's buffer: large enough that a batch's results cost few system calls.
const OUT_BUFFER_BYTES: usize = 1 << 16;

/// Standard output (buffered) and standard error, as every command writes to them.
pub struct Console {
    /// Standard output: results (decisions, test reports). Flushed by [`super::run`].
    pub out: BufWriter<Sink<Stdout>>,
    /// Standard error: warnings, errors, summaries. Unbuffered.
    pub err: Sink<Stderr>,
}

impl Console {
    /// The process's standard output and standard error.
    pub fn new() -> Console {
        Console {
            out: BufWriter::with_capacity(
                OUT_BUFFER_BYTES,
                Sink::new(io::stdout(), "standard output"),
            ),
            err: Sink::new(io::stderr(), "standard error"),
        }
    }

    /// Writes `error: {message}` on standard error, after what standard output holds so far, so
    /// that on a terminal both appear in the order they happened.
    pub fn error(&mut self, message: impl std::fmt::Display) -> io::Result<()> {
        self.out.flush()?;
        writeln!(self.err, "error: {message}")
    }

    /// Writes `warning: {message}` on standard error, after what standard output holds so far.
    pub fn warning(&mut self, message: impl std::fmt::Display) -> io::Result<()> {
        self.out.flush()?;
        writeln!(self.err, "warning: {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer failing every call with one kind of error.
    struct Failing(ErrorKind);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(self.0))
        }

        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::from(self.0))
        }
    }

    #[test]
    fn a_closed_pipe_ends_the_output_quietly() {
        let mut sink = Sink::new(Failing(ErrorKind::BrokenPipe), "standard output");
        assert!(writeln!(sink, "one").is_ok());
        assert!(sink.flush().is_ok());
        assert!(sink.closed);
    }

    #[test]
    fn other_errors_are_returned_with_the_stream_named() {
        let mut sink = Sink::new(Failing(ErrorKind::StorageFull), "standard output");
        let error = writeln!(sink, "one").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::StorageFull);
        assert!(
            error
                .to_string()
                .starts_with("failed to write to standard output: "),
            "{error}"
        );
    }
}
