//! `crm-rules`: evaluate, test and check rule packs from the command line.
//!
//! This is the binary's edge: every command returns its exit code or an error, and errors are
//! turned into a message and exit code 2 here, once. Output goes through [`commands::Console`], whose
//! handles end quietly on a closed pipe and return every other write error. The print macros panic
//! on a closed pipe or a full disk, so the lints below keep them out of the binary.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod commands;

use std::io::{ErrorKind, Write as _};
use std::process::ExitCode;

use clap::Parser as _;

/// Counts each thread's heap use so Rhai rules are held to their memory limit too.
#[global_allocator]
static ALLOCATOR: crm_rules_host::alloc::CountingAllocator =
    crm_rules_host::alloc::CountingAllocator;

/// Usage, environment and load failures, and write errors.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let mut console = commands::Console::new();
    let result = match commands::Cli::try_parse() {
        Ok(args) => commands::run(args, &mut console),
        Err(usage) => print_usage(&usage),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            // Nothing more can be done if standard error itself cannot be written.
            let _ = writeln!(console.err, "error: {error:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Prints clap's help, version or usage error; its exit code (0 for help and version, 2 for a
/// usage error) unless printing fails other than on a closed pipe.
fn print_usage(usage: &clap::Error) -> anyhow::Result<ExitCode> {
    let code = u8::try_from(usage.exit_code()).unwrap_or(EXIT_ERROR);
    match usage.print() {
        Err(error) if error.kind() != ErrorKind::BrokenPipe => {
            let stream = if usage.use_stderr() {
                "standard error"
            } else {
                "standard output"
            };
            Err(anyhow::Error::new(error).context(format!("failed to write to {stream}")))
        }
        _ => Ok(ExitCode::from(code)),
    }
}
