//! The container: a header and a sorted list of named entries (see the [module
//! documentation](super) for the layout). It knows nothing of packs: it checks the header, the
//! digest, the bounds and the entry names, and hands out the entries.

use std::collections::BTreeMap;
use std::path::{Component, Path};

use sha2::{Digest, Sha256};

/// The first eight bytes of every bundle: a non-ASCII byte (so no text tool takes it for text),
/// then `CRMPACK`.
pub const MAGIC: [u8; 8] = *b"\x89CRMPACK";

/// The format version this build writes and reads.
pub const VERSION: u32 = 1;

/// Magic, version and digest.
const HEADER_BYTES: usize = 8 + 4 + 32;

/// The largest bundle read (and written): 512 MiB.
pub const MAX_BUNDLE_BYTES: u64 = 512 << 20;

/// The most entries a bundle may hold.
pub const MAX_ENTRIES: usize = 10_000;

/// The longest entry name, in bytes.
pub const MAX_NAME_BYTES: usize = 512;

/// The most folders an entry name may go down.
const MAX_DEPTH: usize = 32;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The bundle of `entries` (each name valid, see [`check_name`]), and its digest (`sha256:...`).
pub(crate) fn encode(entries: &BTreeMap<String, Vec<u8>>) -> (Vec<u8>, String) {
    let size: usize = entries
        .iter()
        .map(|(name, bytes)| 2 + name.len() + 8 + bytes.len())
        .sum();
    let mut body = Vec::with_capacity(4 + size);
    body.extend_from_slice(
        &u32::try_from(entries.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    for (name, bytes) in entries {
        body.extend_from_slice(&u16::try_from(name.len()).unwrap_or(u16::MAX).to_le_bytes());
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        body.extend_from_slice(bytes);
    }
    let digest: [u8; 32] = Sha256::digest(&body).into();
    let mut out = Vec::with_capacity(HEADER_BYTES + body.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&digest);
    out.extend_from_slice(&body);
    (out, format!("sha256:{}", hex(&digest)))
}

/// A bundle's entries, borrowed from its bytes, and its digest (`sha256:...`).
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    /// The entries, by name.
    pub(crate) entries: BTreeMap<&'a str, &'a [u8]>,
    /// The digest its header records, which its body was checked against.
    pub(crate) digest: String,
}

/// Reads `bytes` as a bundle: the header, the digest, then every entry.
///
/// # Errors
/// What is wrong, for a person: not a bundle, another version, truncated or corrupted (the digest
/// does not match), or an entry name a bundle may not hold.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded<'_>, String> {
    if !bytes.starts_with(&MAGIC) {
        return Err("not a pack bundle: it does not start with the bundle header".to_owned());
    }
    if bytes.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(format!(
            "it is {} bytes, more than the limit of {MAX_BUNDLE_BYTES}",
            bytes.len()
        ));
    }
    let (header, body) = bytes
        .split_at_checked(HEADER_BYTES)
        .ok_or_else(|| format!("truncated: {} bytes, less than its header", bytes.len()))?;
    let version = header
        .get(8..12)
        .and_then(|field| <[u8; 4]>::try_from(field).ok())
        .map_or(0, u32::from_le_bytes);
    if version != VERSION {
        return Err(format!(
            "format version {version}; this crm-rules reads version {VERSION} (bundle the pack \
             again with this crm-rules)"
        ));
    }
    let recorded = header.get(12..HEADER_BYTES).unwrap_or_default();
    let actual = Sha256::digest(body);
    let structure = entries(body);
    if actual.as_slice() != recorded {
        let (recorded, actual) = (hex(recorded), hex(&actual));
        return Err(match structure {
            Err(problem) => format!(
                "truncated or corrupted ({problem}); its contents do not match the digest in its \
                 header"
            ),
            Ok(_) => format!(
                "corrupted: its contents hash to sha256:{actual}, not to the digest its header \
                 records (sha256:{recorded})"
            ),
        });
    }
    Ok(Decoded {
        entries: structure.map_err(|problem| format!("malformed: {problem}"))?,
        digest: format!("sha256:{}", hex(recorded)),
    })
}

/// Takes `count` bytes off the front of `rest`.
fn take<'a>(
    rest: &mut &'a [u8],
    count: usize,
    what: impl Fn() -> String,
) -> Result<&'a [u8], String> {
    let (taken, left) = rest
        .split_at_checked(count)
        .ok_or_else(|| format!("{} needs {count} bytes, {} remain", what(), rest.len()))?;
    *rest = left;
    Ok(taken)
}

/// The entries of a bundle's body, checked: within the limits, names valid and strictly increasing,
/// nothing after the last.
fn entries(body: &[u8]) -> Result<BTreeMap<&str, &[u8]>, String> {
    let mut rest = body;
    let count = take(&mut rest, 4, || "the entry count".to_owned())?;
    let count = <[u8; 4]>::try_from(count).map_or(0, u32::from_le_bytes) as usize;
    if count > MAX_ENTRIES {
        return Err(format!(
            "{count} entries, more than the limit of {MAX_ENTRIES}"
        ));
    }
    let mut entries = BTreeMap::new();
    let mut previous: Option<&str> = None;
    for number in 0..count {
        let length = take(&mut rest, 2, || format!("entry #{number}'s name length"))?;
        let length = <[u8; 2]>::try_from(length).map_or(0, u16::from_le_bytes) as usize;
        let name = take(&mut rest, length, || format!("entry #{number}'s name"))?;
        let name = std::str::from_utf8(name)
            .map_err(|_| format!("entry #{number}'s name is not UTF-8"))?;
        check_name(name)
            .map_err(|problem| format!("entry `{}`: {problem}", name.escape_debug()))?;
        let size = take(&mut rest, 8, || format!("entry `{name}`'s size"))?;
        let size = <[u8; 8]>::try_from(size).map_or(u64::MAX, u64::from_le_bytes);
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        let bytes = take(&mut rest, size, || format!("entry `{name}`"))?;
        match previous {
            Some(before) if before == name => {
                return Err(format!("entry `{name}` appears twice"));
            }
            Some(before) if before > name => {
                return Err(format!(
                    "entry `{name}` comes after `{before}`: entries are sorted by name"
                ));
            }
            _ => {}
        }
        previous = Some(name);
        entries.insert(name, bytes);
    }
    if !rest.is_empty() {
        return Err(format!("{} bytes after the last entry", rest.len()));
    }
    Ok(entries)
}

/// Whether `name` may name an entry: a relative path of `/`-separated components, none empty,
/// `.` or `..`, without `\`, `:` at the start or control characters, at most
/// [`MAX_NAME_BYTES`] long and [`MAX_DEPTH`] deep.
///
/// # Errors
/// What is wrong with it.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("an empty name".to_owned());
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "a name of {} bytes, longer than the limit of {MAX_NAME_BYTES}",
            name.len()
        ));
    }
    if name.starts_with('/') {
        return Err("an absolute path".to_owned());
    }
    if name.contains('\\') || name.chars().any(char::is_control) {
        return Err("a name with `\\` or a control character".to_owned());
    }
    let mut depth = 0;
    for part in name.split('/') {
        depth += 1;
        match part {
            "" => return Err("an empty path component (`//`, or a `/` at the end)".to_owned()),
            "." | ".." => return Err(format!("a `{part}` component")),
            _ if depth == 1 && part.len() == 2 && part.ends_with(':') => {
                return Err("a drive letter".to_owned());
            }
            _ => {}
        }
    }
    if depth > MAX_DEPTH {
        return Err(format!("{depth} levels deep, more than {MAX_DEPTH}"));
    }
    Ok(())
}

/// A relative path made lexical: how many folders it climbs (the `..` left at its start), and
/// the names below that, `.` dropped and each other `..` taking off the name before it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Relative {
    /// The `..` at its start.
    pub(crate) ups: usize,
    /// The names after them.
    pub(crate) names: Vec<String>,
}

impl Relative {
    /// `path`, made lexical; `None` when it is absolute or a name is not UTF-8.
    pub(crate) fn of(path: &Path) -> Option<Relative> {
        let mut relative = Relative {
            ups: 0,
            names: Vec::new(),
        };
        for component in path.components() {
            match component {
                Component::CurDir => {}
                Component::ParentDir => {
                    if relative.names.pop().is_none() {
                        relative.ups += 1;
                    }
                }
                Component::Normal(name) => relative.names.push(name.to_str()?.to_owned()),
                Component::RootDir | Component::Prefix(_) => return None,
            }
        }
        Some(relative)
    }

    /// The entry name it is, when it climbs nowhere and names something.
    pub(crate) fn entry(&self) -> Option<String> {
        (self.ups == 0 && !self.names.is_empty()).then(|| self.names.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str, bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
        BTreeMap::from([(name.to_owned(), bytes.to_vec())])
    }

    #[test]
    fn round_trips_and_is_deterministic() {
        let mut entries = one("b/c.txt", b"see");
        entries.insert("a".to_owned(), Vec::new());
        let (first, digest) = encode(&entries);
        assert_eq!(encode(&entries).0, first);
        let decoded = decode(&first).unwrap();
        assert_eq!(decoded.digest, digest);
        assert_eq!(decoded.entries.get("b/c.txt"), Some(&&b"see"[..]));
        assert_eq!(decoded.entries.get("a"), Some(&&b""[..]));
    }

    #[test]
    fn a_changed_or_missing_byte_is_named() {
        let (bytes, _) = encode(&one("pack.toml", b"[pack]"));
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(decode(&flipped).unwrap_err().starts_with("corrupted: "));
        let cut = &bytes[..bytes.len() - 1];
        let error = decode(cut).unwrap_err();
        assert!(
            error.starts_with("truncated or corrupted (entry `pack.toml` needs 6 bytes, 5 remain)"),
            "{error}"
        );
        assert!(decode(&bytes[..20]).unwrap_err().starts_with("truncated: "));
        assert!(
            decode(b"[pack]\n")
                .unwrap_err()
                .starts_with("not a pack bundle")
        );
    }

    #[test]
    fn names_stay_inside_the_bundle() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "a/",
            "./a",
            "a\\b",
            "C:/x",
            "a\u{0}b",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for good in [
            "pack.toml",
            "rhai/billing.rhai",
            ".crmpack/index.json",
            "a b/c:d",
        ] {
            assert_eq!(check_name(good), Ok(()), "{good:?}");
        }
        // A bundle whose body hand-writes a bad name, with a matching digest, is still refused.
        let (bytes, _) = encode(&one("../up", b""));
        assert!(decode(&bytes).unwrap_err().contains("a `..` component"));
    }

    #[test]
    fn duplicates_and_disorder_are_refused() {
        let mut body = 2u32.to_le_bytes().to_vec();
        for _ in 0..2 {
            body.extend_from_slice(&1u16.to_le_bytes());
            body.extend_from_slice(b"a");
            body.extend_from_slice(&0u64.to_le_bytes());
        }
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&Sha256::digest(&body));
        bytes.extend_from_slice(&body);
        assert_eq!(
            decode(&bytes).unwrap_err(),
            "malformed: entry `a` appears twice"
        );
    }

    #[test]
    fn relative_paths_are_made_lexical() {
        let of = |path: &str| Relative::of(Path::new(path)).unwrap();
        assert_eq!(of("../params.toml").ups, 1);
        assert_eq!(of("./a/../b.rhai").entry().as_deref(), Some("b.rhai"));
        assert_eq!(of("../../x/y").names, ["x", "y"]);
        assert_eq!(of("a/..").entry(), None);
        assert!(Relative::of(Path::new("/abs")).is_none());
    }
}
