//! Project automation:
//!
//! - `cargo xtask build-rules`: compile the repository's rule crates to components;
//! - `cargo xtask ci`: everything CI checks, in order, stopping at the first failure.
//!
//! Both add the `wasm32-unknown-unknown` target with rustup first when it is missing.

use std::process::Command;

use anyhow::{Context as _, bail};

fn run(program: &str, args: &[&str]) -> anyhow::Result<()> {
    println!("\n$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        // A CI build happens once, on a clean clone: incremental state would only cost disk
        // (about 2 GB) and time.
        .env("CARGO_INCREMENTAL", "0")
        .current_dir(xtask::workspace_root())
        .status()
        .with_context(|| format!("failed to start `{program}`"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

fn build_rules() -> anyhow::Result<()> {
    let root = xtask::workspace_root();
    for path in xtask::build_guests(&root, xtask::PACK_GUESTS)? {
        println!("built {}", path.display());
    }
    Ok(())
}

fn ci() -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    run(&cargo, &["fmt", "--all", "--check"])?;
    build_rules()?;
    run(
        &cargo,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    run(&cargo, &["test", "--workspace"])?;
    // The binary `cargo test --workspace` just built (with the workspace's feature set): `cargo run
    // -p` would resolve features for the host alone and rebuild wasmtime.
    let crm_rules = xtask::workspace_root().join("target/debug/crm-rules");
    run(
        &crm_rules.to_string_lossy(),
        &[
            "test",
            "rules/standard/rhai",
            "rules/standard/rust",
            "rules/examples/overdue-states",
            "rules/examples/overdue-states/rust",
            "rules/examples/invoice-ladder",
            "examples/packs/first-pack",
            "examples/packs/late-fees",
            "--junit",
            "target/fixtures-junit.xml",
            // Every declared rule id of every pack fires or stands down in some case.
            "--min-coverage",
            "100",
            "--coverage-json",
            "target/fixtures-coverage.json",
        ],
    )?;
    // The Python package (`python/`): built into target/python-venv with maturin, then its
    // pytest suite, which compares its decisions with the binary above.
    run("bash", &["python/run-tests.sh"])?;
    // The Dask recipe over a 2,000-context book, checked row by row against a direct batch run
    // (Spark and Ray, heavier, are run by hand: docs/scale.md).
    run("bash", &["examples/cluster/verify.sh", "dask", "2000", "8"])
}

fn main() -> anyhow::Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("build-rules") => build_rules(),
        Some("ci") => ci(),
        _ => bail!("usage: cargo xtask build-rules | cargo xtask ci"),
    }
}
