//! `crm-rules init NAME [--backend rhai|rust] [--dir PARENT] [--sdk PATH]`: a new pack, in
//! `PARENT/NAME`, that passes `check` and `test` at once (the Rust backend once its module is
//! built): a manifest (contract 0.2), one module per kind (billing, reminders, escalation), each a
//! small rule reading one parameter, one fixture file per module over a shared base context, two
//! contexts to `eval`, and a README.
//!
//! It never overwrites anything: a folder that exists and is not empty is refused, every file is
//! created new, and a write that fails removes what `init` had written so far.

mod files;
mod guest;

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use crm_rules_host::RuleEngine;

use super::Console;
use files::PackFile;

/// The longest pack name `init` accepts.
const MAX_NAME_LEN: usize = 64;

/// What the rules of a new pack are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// Rhai scripts, one per module: nothing to build.
    Rhai,
    /// A Rust crate compiled to one WebAssembly module (`cargo build --target
    /// wasm32-unknown-unknown`), depending on the guest SDK by path.
    Rust,
}

/// `crm-rules init` arguments.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The pack's name, and the name of the folder created for it: lower-case letters, digits and
    /// `-`, starting with a letter (e.g. `acme-collections`).
    #[arg(value_name = "NAME")]
    pub name: String,
    /// What the rules are written in.
    #[arg(long, value_enum, default_value_t = Backend::Rhai)]
    pub backend: Backend,
    /// The folder to create the pack in, as PARENT/NAME (created if missing); the current folder
    /// by default.
    #[arg(long, value_name = "PARENT")]
    pub dir: Option<PathBuf>,
    /// With `--backend rust`: the guest SDK (the `guest-sdk` folder of a crm-rules source tree)
    /// the crate depends on by path. Default: the one in the source tree this command line was
    /// built from.
    #[arg(long, value_name = "PATH")]
    pub sdk: Option<PathBuf>,
}

/// Writes the pack, then lists what it wrote and the commands to run next on standard output.
///
/// # Errors
/// A name that is not a pack name, a folder that exists and is not empty, an SDK that is not
/// there (Rust), `--sdk` without `--backend rust`, a write error: exit 2.
pub fn run(
    _engine: &RuleEngine,
    args: &InitArgs,
    console: &mut Console,
) -> anyhow::Result<ExitCode> {
    check_name(&args.name).map_err(|why| {
        anyhow::anyhow!(
            "invalid pack name `{}`: {why}. A pack name is 1 to {MAX_NAME_LEN} lower-case letters \
             (a-z), digits and single `-`s, starting with a letter and ending with a letter or a \
             digit, e.g. `acme-collections`: it names the folder, the pack in every decision, and \
             its URL under `crm-rules serve`",
            args.name
        )
    })?;
    let files = match args.backend {
        Backend::Rhai => {
            if args.sdk.is_some() {
                bail!("--sdk is for `--backend rust`: a Rhai pack has nothing to build");
            }
            files::rhai(&args.name)
        }
        Backend::Rust => files::rust(&args.name, &guest::Sdk::find(args.sdk.as_deref())?),
    };
    let dir = match &args.dir {
        Some(parent) => parent.join(&args.name),
        None => PathBuf::from(&args.name),
    };
    write_pack(&dir, &files)?;
    print_summary(console, &args.name, &dir, args.backend, &files)?;
    Ok(ExitCode::SUCCESS)
}

/// Why `name` is not a pack name `init` accepts, if it is not.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".to_owned());
    }
    if name.contains(['/', '\\']) {
        return Err("that is a path: give the folder to create the pack in with --dir".to_owned());
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!("it is {} characters long", name.chars().count()));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("it does not start with a lower-case letter".to_owned());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!("it contains `{}`", bad.escape_default()));
    }
    if name.ends_with('-') || name.contains("--") {
        return Err("a `-` must sit between two letters or digits".to_owned());
    }
    Ok(())
}

/// What [`write_pack`] created, in order, so a failure can remove it again.
#[derive(Debug, Default)]
struct Created(Vec<(PathBuf, bool)>);

impl Created {
    /// Creates folder `dir` if it is missing (its missing parents first), remembering each.
    fn folder(&mut self, dir: &Path) -> anyhow::Result<()> {
        if dir.as_os_str().is_empty() || dir.is_dir() {
            return Ok(());
        }
        if let Some(parent) = dir.parent() {
            self.folder(parent)?;
        }
        std::fs::create_dir(dir)
            .with_context(|| format!("cannot create folder `{}`", dir.display()))?;
        self.0.push((dir.to_path_buf(), true));
        Ok(())
    }

    /// Creates file `path` with `text`; never replaces a file.
    fn file(&mut self, path: &Path, text: &str) -> anyhow::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .with_context(|| format!("cannot create `{}`", path.display()))?;
        self.0.push((path.to_path_buf(), false));
        file.write_all(text.as_bytes())
            .with_context(|| format!("cannot write `{}`", path.display()))
    }

    /// Removes what was created, newest first; what cannot be removed stays.
    fn undo(self) {
        for (path, is_dir) in self.0.into_iter().rev() {
            let _ = if is_dir {
                std::fs::remove_dir(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

/// Writes `files` into `dir`, which must be missing or empty; on failure, removes what it wrote.
fn write_pack(dir: &Path, files: &[PackFile]) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if !meta.is_dir() => bail!(
            "`{}` exists and is not a folder: choose another NAME or --dir",
            dir.display()
        ),
        Ok(_) => {
            let mut entries = std::fs::read_dir(dir)
                .with_context(|| format!("cannot read folder `{}`", dir.display()))?;
            if entries.next().is_some() {
                bail!(
                    "folder `{}` exists and is not empty: `init` writes a pack only into a new or \
                     empty folder, and never overwrites a file; choose another NAME or --dir",
                    dir.display()
                );
            }
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read `{}`", dir.display()));
        }
    }
    let mut created = Created::default();
    let result = files.iter().try_for_each(|file| {
        let path = dir.join(file.path);
        if let Some(folder) = path.parent() {
            created.folder(folder)?;
        }
        created.file(&path, &file.text)
    });
    if result.is_err() {
        created.undo();
    }
    result
}

/// Prints what was written and what to run next.
fn print_summary(
    console: &mut Console,
    name: &str,
    dir: &Path,
    backend: Backend,
    files: &[PackFile],
) -> anyhow::Result<()> {
    let out = &mut console.out;
    let language = match backend {
        Backend::Rhai => "Rhai",
        Backend::Rust => "Rust",
    };
    writeln!(
        out,
        "Created pack `{name}` ({language} rules) in {}:",
        dir.display()
    )?;
    for file in files {
        writeln!(out, "  {:<28} {}", file.path, file.what)?;
    }
    writeln!(out)?;
    match backend {
        Backend::Rhai => writeln!(out, "Next, check it, run its fixtures and try it:")?,
        Backend::Rust => writeln!(
            out,
            "Next, build the rules (the pack's modules point at the built .wasm), then check the \
             pack, run its fixtures and try it:"
        )?,
    }
    writeln!(out, "  cd {}", shell_word(&dir.display().to_string()))?;
    if backend == Backend::Rust {
        writeln!(out, "  {}", guest::BUILD_COMMAND)?;
    }
    writeln!(out, "  crm-rules check .")?;
    writeln!(out, "  crm-rules test .")?;
    writeln!(out, "  crm-rules eval . --input try/scheduled.json")?;
    writeln!(out, "README.md in the pack says more.")?;
    Ok(())
}

/// `word` as one word for a POSIX shell: as it is when that is safe, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./+:@%,=".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_names_are_words_of_lower_case_letters_digits_and_dashes() {
        for good in ["a", "acme", "acme-collections", "q3-2026", &"a".repeat(64)] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("", "empty"),
            ("packs/acme", "path"),
            ("Acme", "lower-case letter"),
            ("1acme", "lower-case letter"),
            ("acme_rules", "contains `_`"),
            ("acme rules", "contains ` `"),
            ("acmé", "contains `\\u{e9}`"),
            ("acme-", "between two"),
            ("ac--me", "between two"),
            (&"a".repeat(65), "65 characters"),
        ] {
            let error = check_name(bad).unwrap_err();
            assert!(error.contains(why), "{bad}: {error}");
        }
    }

    #[test]
    fn folders_are_quoted_for_the_shell_only_when_needed() {
        assert_eq!(shell_word("packs/acme"), "packs/acme");
        assert_eq!(shell_word("my packs/acme"), "'my packs/acme'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
