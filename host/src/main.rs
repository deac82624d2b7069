//! `crm-rules`: evaluate, test and check rule packs from the command line.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// Counts each thread's heap use so Rhai rules are held to their memory limit too.
#[global_allocator]
static ALLOCATOR: crm_rules_host::alloc::CountingAllocator =
    crm_rules_host::alloc::CountingAllocator;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
