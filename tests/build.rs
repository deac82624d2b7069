//! Compiles the repository's rule crates to components before the integration tests run, so a plain
//! `cargo test` works on a fresh clone (the same builder `cargo xtask build-rules` uses).

fn main() {
    let root = xtask::workspace_root();
    for dir in [
        "rules/standard/rust/src",
        "rules/standard/rust/Cargo.toml",
        "guest-sdk/src",
        "wit",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    if let Err(error) = xtask::build_guests(&root, xtask::PACK_GUESTS) {
        println!("cargo:warning=building rule components failed: {error:#}");
        std::process::exit(1);
    }
}
