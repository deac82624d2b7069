//! A rule module written in Rust: a name and a pure function of the context. The guest SDK exports a
//! table of them as a component; a host links the same table natively (benchmarks, tests).

use crate::types::{Context, RuleOutput};

/// The function of a module: the context in, its output or its own refusal (a message) out.
pub type ModuleFn = fn(&Context) -> Result<RuleOutput, String>;

/// A module: the name a pack manifest's `entry` gives, and its function.
#[derive(Debug, Clone, Copy)]
pub struct Module {
    /// The module's name (`reminders`).
    pub name: &'static str,
    /// What it does.
    pub run: ModuleFn,
}

/// The module called `name` in `modules`.
pub fn find<'m>(modules: &'m [Module], name: &str) -> Option<&'m Module> {
    modules.iter().find(|module| module.name == name)
}
