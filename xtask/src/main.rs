//! `cargo xtask build-rules`: compile the repository's rule crates to components.

use anyhow::bail;

fn main() -> anyhow::Result<()> {
    let task = std::env::args().nth(1);
    match task.as_deref() {
        Some("build-rules") => {
            let root = xtask::workspace_root();
            for path in xtask::build_guests(&root, xtask::PACK_GUESTS)? {
                println!("built {}", path.display());
            }
            Ok(())
        }
        _ => bail!("usage: cargo xtask build-rules"),
    }
}
