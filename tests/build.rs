//! Compiles the repository's rule crates (the packs', the hostile test guest, the typed mirror and
//! the frozen 0.1 compatibility guest) to components before the integration tests run, so a plain `cargo test` works
//! on a fresh clone (the same builder `cargo xtask build-rules` uses, which adds the
//! `wasm32-unknown-unknown` target with rustup when it is missing).

fn main() {
    let root = xtask::workspace_root();
    for dir in [
        "rules/standard/rust/src",
        "rules/standard/rust/Cargo.toml",
        "rules/examples/overdue-states/rust/src",
        "rules/examples/overdue-states/rust/Cargo.toml",
        "tests/hostile/guest/src",
        "tests/hostile/guest/Cargo.toml",
        "tests/mirror/guest/src",
        "tests/mirror/guest/Cargo.toml",
        "tests/compat/standard-v0_1/src",
        "tests/compat/standard-v0_1/Cargo.toml",
        "guest-sdk/src",
        "wit",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    // One cargo invocation for every guest: one lock on the guest target directory, one resolve.
    let guests: Vec<xtask::Guest> = xtask::PACK_GUESTS
        .iter()
        .chain(xtask::HOSTILE_GUESTS)
        .chain(xtask::MIRROR_GUESTS)
        .chain(xtask::COMPAT_GUESTS)
        .copied()
        .collect();
    if let Err(error) = xtask::build_guests(&root, &guests) {
        println!("cargo:warning=building rule components failed: {error:#}");
        std::process::exit(1);
    }
}
