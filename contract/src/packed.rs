//! The context packed into one buffer: how a host hands a whole [`Context`] to a component in one
//! copy, and how the component reads it back.
//!
//! A `crm:rules@0.2.0` component that exports `evaluate-packed` takes the context as `list<u8>`
//! instead of the typed `context` record. Lowering the typed record costs the host a call into the
//! guest's allocator for every text and every list (empty ones included) and a memory lookup for
//! every scalar; a packed buffer is one allocation and one copy, and the guest unpacks it with plain
//! loads. The typed `evaluate` export stays: components in other languages, and older ones, keep it.
//!
//! The format is specified for authors of components in other languages in `docs/contract.md`
//! ("The packed context"): a version byte ([`FORMAT_VERSION`]), then the `context` record, every
//! field in WIT order, scalars little-endian, texts and lists after a `u32` length, options, enums
//! and variants after a one-byte case index. A test checks the field and case orders against
//! `wit/v0.2`. A host appends the pack's parameter defaults the context lacks after its own
//! parameters ([`pack_context`]).
//!
//! Unpacking checks everything it reads: a truncated buffer, a case or flag byte out of range,
//! text that is not UTF-8, another format version or bytes after the context are an
//! [`UnpackError`] naming the byte offset, never a panic or a guess.

mod contract_types;
#[cfg(test)]
mod tests;
mod text;

use core::fmt;

use crate::types::{Context, Param};

/// The version byte every packed context starts with.
pub const FORMAT_VERSION: u8 = 1;

/// Writes `ctx` to `out` (after what `out` already holds) in the packed format, with
/// `extra_params` appended after the context's own parameters.
pub fn pack_context(ctx: &Context, extra_params: &[&Param], out: &mut Vec<u8>) {
    out.push(FORMAT_VERSION);
    contract_types::pack_context_with(ctx, extra_params, out);
}

/// Reads a context packed by [`pack_context`].
///
/// # Errors
/// `bytes` is not exactly one packed context of [`FORMAT_VERSION`].
pub fn unpack_context(bytes: &[u8]) -> Result<Context, UnpackError> {
    let mut reader = Reader { bytes, at: 0 };
    let version = reader.byte("the format version")?;
    if version != FORMAT_VERSION {
        return Err(reader.error_at(0, Problem::Version(version)));
    }
    let ctx = Context::unpack(&mut reader)?;
    if reader.at != bytes.len() {
        let trailing = bytes.len() - reader.at;
        return Err(reader.error(Problem::Trailing(trailing)));
    }
    Ok(ctx)
}

/// Why a buffer is not a packed context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackError {
    /// The offset of the byte that could not be read.
    pub at: usize,
    problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    Version(u8),
    Truncated { what: &'static str, needed: usize },
    Case { what: &'static str, tag: u8 },
    Utf8,
    Trailing(usize),
}

impl fmt::Display for UnpackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the packed context is malformed at byte {}: ", self.at)?;
        match &self.problem {
            Problem::Version(found) => write!(
                f,
                "it is format version {found}, and this build reads version {FORMAT_VERSION}; \
                 build the component with a guest SDK of the host's contract"
            ),
            Problem::Truncated { what, needed } => write!(
                f,
                "{what} needs {needed} more bytes than the buffer has (it was cut short)"
            ),
            Problem::Case { what, tag } => write!(f, "{tag} is not a case of {what}"),
            Problem::Utf8 => f.write_str("a text is not valid UTF-8"),
            Problem::Trailing(count) => write!(f, "{count} bytes follow the context"),
        }
    }
}

impl std::error::Error for UnpackError {}

/// A cursor over a packed buffer.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn error(&self, problem: Problem) -> UnpackError {
        self.error_at(self.at, problem)
    }

    fn error_at(&self, at: usize, problem: Problem) -> UnpackError {
        UnpackError { at, problem }
    }

    /// The error for `what`, which needs `count` bytes where fewer are left. Out of line: every
    /// read checks for it, and a host's buffer never has it.
    #[cold]
    #[inline(never)]
    fn truncated(&self, what: &'static str, count: usize) -> UnpackError {
        self.error(Problem::Truncated {
            what,
            needed: count - self.left(),
        })
    }

    /// The next `count` bytes.
    #[inline]
    fn take(&mut self, count: usize, what: &'static str) -> Result<&'a [u8], UnpackError> {
        match self.bytes.get(self.at..).and_then(|rest| rest.get(..count)) {
            Some(taken) => {
                self.at += count;
                Ok(taken)
            }
            None => Err(self.truncated(what, count)),
        }
    }

    /// The next `N` bytes, by value.
    #[inline]
    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], UnpackError> {
        match self.bytes.get(self.at..).and_then(<[u8]>::first_chunk::<N>) {
            Some(array) => {
                self.at += N;
                Ok(*array)
            }
            None => Err(self.truncated(what, N)),
        }
    }

    /// The next byte.
    #[inline]
    pub(crate) fn byte(&mut self, what: &'static str) -> Result<u8, UnpackError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// The error for `tag`, the byte just read, which is no case of `what`.
    #[cold]
    #[inline(never)]
    pub(crate) fn not_a_case(&self, what: &'static str, tag: u8) -> UnpackError {
        self.error_at(self.at - 1, Problem::Case { what, tag })
    }

    /// A case byte: its index, checked to be below `cases`.
    #[inline]
    fn case(&mut self, what: &'static str, cases: u8) -> Result<u8, UnpackError> {
        let tag = self.byte(what)?;
        if tag >= cases {
            return Err(self.not_a_case(what, tag));
        }
        Ok(tag)
    }

    /// A length prefix.
    #[inline]
    fn length(&mut self, what: &'static str) -> Result<usize, UnpackError> {
        let length = u32::from_le_bytes(self.array(what)?) as usize;
        Ok(length)
    }

    fn left(&self) -> usize {
        self.bytes.len() - self.at
    }
}

/// A contract value written in the packed format.
pub(crate) trait Pack {
    /// Appends `self` to `out`.
    fn pack(&self, out: &mut Vec<u8>);
}

/// A contract value read from the packed format.
pub(crate) trait Unpack: Sized {
    /// The next value of `reader`.
    fn unpack(reader: &mut Reader<'_>) -> Result<Self, UnpackError>;
}

macro_rules! little_endian {
    ($($ty:ty => $what:literal),*) => {$(
        impl Pack for $ty {
            fn pack(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }

        impl Unpack for $ty {
            #[inline]
            fn unpack(reader: &mut Reader<'_>) -> Result<$ty, UnpackError> {
                reader.array($what).map(<$ty>::from_le_bytes)
            }
        }
    )*};
}
little_endian!(u8 => "a u8", u32 => "a u32", i32 => "an s32", i64 => "an s64");

impl Pack for bool {
    fn pack(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

impl Unpack for bool {
    #[inline]
    fn unpack(reader: &mut Reader<'_>) -> Result<bool, UnpackError> {
        Ok(reader.case("a bool", 2)? == 1)
    }
}

/// A length prefix: a `u32`. The host's limits keep every text and list far below 4 GiB; a longer
/// one is cut at `u32::MAX` by the conversion only in a host that ignores them, and then fails to
/// unpack (its items run past the length) instead of being read wrong.
fn pack_length(length: usize, out: &mut Vec<u8>) {
    u32::try_from(length).unwrap_or(u32::MAX).pack(out);
}

impl Pack for str {
    fn pack(&self, out: &mut Vec<u8>) {
        pack_length(self.len(), out);
        out.extend_from_slice(self.as_bytes());
    }
}

impl Pack for String {
    fn pack(&self, out: &mut Vec<u8>) {
        self.as_str().pack(out);
    }
}

impl Unpack for String {
    fn unpack(reader: &mut Reader<'_>) -> Result<String, UnpackError> {
        let length = reader.length("the length of a text")?;
        let start = reader.at;
        let bytes = reader.take(length, "a text")?;
        text::owned(bytes).ok_or_else(|| reader.error_at(start, Problem::Utf8))
    }
}

impl<T: Pack> Pack for Vec<T> {
    fn pack(&self, out: &mut Vec<u8>) {
        pack_length(self.len(), out);
        for item in self {
            item.pack(out);
        }
    }
}

impl<T: Unpack> Unpack for Vec<T> {
    fn unpack(reader: &mut Reader<'_>) -> Result<Vec<T>, UnpackError> {
        let count = reader.length("the length of a list")?;
        // Every item takes at least one byte: a forged count reserves no more than the buffer holds.
        let mut items = Vec::with_capacity(count.min(reader.left()));
        for _ in 0..count {
            items.push(T::unpack(reader)?);
        }
        Ok(items)
    }
}

impl<T: Pack> Pack for Option<T> {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(value) => {
                out.push(1);
                value.pack(out);
            }
        }
    }
}

impl<T: Unpack> Unpack for Option<T> {
    #[inline]
    fn unpack(reader: &mut Reader<'_>) -> Result<Option<T>, UnpackError> {
        match reader.case("an option", 2)? {
            0 => Ok(None),
            _ => T::unpack(reader).map(Some),
        }
    }
}
