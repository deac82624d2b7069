//! `crm-rules bundle PACK [-o FILE] [--no-fixtures]`: a pack as one self-contained,
//! content-addressed file, which every command taking a pack folder also takes, and whose decisions
//! carry the folder's pack hash (see `crm_rules_host::bundle` for the format).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use crm_rules_host::RuleEngine;
use crm_rules_host::bundle::{self, BundleOptions};

use super::Console;

/// `crm-rules bundle` arguments.
#[derive(Debug, clap::Args)]
pub struct BundleArgs {
    /// The pack folder (holding pack.toml).
    #[arg(value_name = "PACK")]
    pub pack: PathBuf,
    /// The bundle to write (replaced if it exists): by default `NAME-VERSION.crmpack`, from the
    /// pack's manifest, in the current folder, or in FILE when FILE is a folder.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Leave the fixtures out: the bundle still loads, evaluates and checks, but `crm-rules test`
    /// on it reports that it has no fixtures.
    #[arg(long)]
    pub no_fixtures: bool,
    /// Also carry each component's native code, compiled for this command's engine
    /// configuration (this crm-rules build and this machine's CPU features): a process of the same
    /// build, on a CPU with the same features, given `--trust-precompiled`, then loads the pack
    /// without compiling. Any other process compiles as usual.
    #[arg(long)]
    pub precompile: bool,
}

/// Loads the pack from its folder, bundles it (checking that the bundle loads back with the same
/// hash), writes the bundle and says what it wrote.
pub fn run(
    engine: &RuleEngine,
    args: &BundleArgs,
    console: &mut Console,
) -> anyhow::Result<ExitCode> {
    let pack = engine
        .load_pack(&args.pack)
        .with_context(|| format!("failed to load pack `{}`", args.pack.display()))?;
    let options = BundleOptions {
        fixtures: !args.no_fixtures,
        precompile: args.precompile,
    };
    let bundled = bundle::write(&pack, &options)
        .with_context(|| format!("failed to bundle pack `{}`", args.pack.display()))?;
    let default_name = bundle::default_file_name(&bundled.pack);
    let path = match &args.output {
        Some(path) if path.is_dir() => path.join(default_name),
        Some(path) => path.clone(),
        None => PathBuf::from(default_name),
    };
    write_whole(&path, &bundled.bytes)?;
    let mut fixtures = if args.no_fixtures {
        "no fixtures".to_owned()
    } else {
        format!("{} fixture files", bundled.fixture_files)
    };
    if args.precompile {
        fixtures.push_str(&format!(", {} precompiled components", bundled.precompiled));
    }
    writeln!(
        console.out,
        "wrote {}: {} {} {} ({} pack files, {fixtures}, {} bytes; bundle {})",
        path.display(),
        bundled.pack.name,
        bundled.pack.version,
        bundled.pack.hash,
        bundled.files,
        bundled.bytes.len(),
        bundled.digest
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place: a reader never
/// sees half a bundle, and a failed write leaves no file behind.
fn write_whole(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            // The temporary file may not exist; either way the error is the write's.
            let _ = std::fs::remove_file(&temporary);
            Err(error).with_context(|| format!("failed to write `{}`", path.display()))
        }
    }
}
