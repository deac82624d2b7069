//! # crm-rules-guest
//!
//! The crate authors of Rust rules depend on. It gives you:
//!
//! - the contract (`wit/v0.2`, package `crm:rules@0.2.0`) as plain Rust types in [`types`], with its
//!   money, date and clock helpers ([`money`], [`date`], [`clock`]), re-exported from
//!   `crm-rules-contract` so a rule compiles both to a WebAssembly component and natively;
//! - the account's history indexed once per evaluation ([`history`]): keys already done, reminders
//!   sent and promises by invoice, so a rule's cost grows with the account, not its square;
//! - the [`export_modules!`] macro that turns a table of module functions into a component;
//! - [`testing`]: builders that make a context in a unit test, to run a module natively.
//!
//! ```
//! use crm_rules_guest::prelude::*;
//!
//! /// A module that asks for nothing, ever.
//! fn quiet(_ctx: &Context) -> Result<RuleOutput, String> {
//!     Ok(RuleOutput::empty())
//! }
//!
//! crm_rules_guest::export_modules! {
//!     "quiet" => quiet,
//! }
//!
//! // Natively, the table is ordinary data: a host (or a unit test) calls the functions directly.
//! assert_eq!(MODULES[0].name, "quiet");
//! ```

#[cfg(target_arch = "wasm32")]
pub mod arena;
pub mod history;
#[cfg(feature = "testing")]
pub mod testing;

pub use crm_rules_contract::module::{Module, ModuleFn};
pub use crm_rules_contract::{
    clock, context, date, explain, extras, money, output, packed, params, text, types, vocabulary,
    wire,
};

#[doc(hidden)]
pub mod bindings {
    #![allow(
        missing_docs,
        reason = "generated bindings; the WIT carries the documentation"
    )]
    #![allow(unsafe_code, reason = "generated canonical-ABI glue")]
    #![allow(clippy::all, reason = "generated code")]
    wit_bindgen::generate!({
        world: "packed-rule",
        path: "../wit/v0.2",
        pub_export_macro: true,
        export_macro_name: "export_rule_world",
        default_bindings_module: "crm_rules_guest::bindings",
        with: {
            "crm:rules/values@0.2.0": crm_rules_contract::bindings::crm::rules::values,
            "crm:rules/records@0.2.0": crm_rules_contract::bindings::crm::rules::records,
            "crm:rules/actions@0.2.0": crm_rules_contract::bindings::crm::rules::actions,
        },
    });
}

/// Everything a rule module usually needs.
pub mod prelude {
    pub use crate::clock::{local_date, next_local_time};
    pub use crate::context::ParamError;
    pub use crate::extras::Extensible;
    pub use crate::history::{History, SentReminder};
    pub use crate::money::{Currency, MoneyError};
    pub use crate::types::*;
    pub use crate::{Module, ModuleFn};
}

/// The component's side of an evaluation: the context, taken from the host once (typed, or packed
/// and unpacked here), and the table of modules that run on it. Used by [`export_modules!`]; not
/// for rule code.
#[doc(hidden)]
pub struct Evaluation {
    /// The context, or why the packed buffer could not be read.
    ctx: Result<types::Context, String>,
    modules: &'static [Module],
}

impl Evaluation {
    /// Holds `ctx` for the modules of `modules`, and (in a component) sends what the modules
    /// consider to the host while it explains the evaluation ([`explain`]).
    pub fn new(ctx: types::Context, modules: &'static [Module]) -> Evaluation {
        #[cfg(target_arch = "wasm32")]
        host_explain::observe();
        Evaluation {
            ctx: Ok(ctx),
            modules,
        }
    }

    /// [`Evaluation::new`] on a context packed by the host ([`packed`]). A buffer that does not
    /// unpack makes every [`Evaluation::run`] an error that says why.
    pub fn unpack(packed: &[u8], modules: &'static [Module]) -> Evaluation {
        match packed::unpack_context(packed) {
            Ok(ctx) => Evaluation::new(ctx, modules),
            Err(error) => Evaluation {
                ctx: Err(error.to_string()),
                modules,
            },
        }
    }

    /// Runs module `name` on the held context.
    pub fn run(&self, name: &str) -> Result<types::RuleOutput, String> {
        let ctx = self.ctx.as_ref().map_err(Clone::clone)?;
        match crm_rules_contract::module::find(self.modules, name) {
            Some(module) => (module.run)(ctx),
            None => Err(format!(
                "this component has no module \"{name}\"; it has: {}",
                module_names(self.modules).join(", ")
            )),
        }
    }
}

/// [`explain`] in a component: notes and parameter reads go to the host's `crm:rules/explain`
/// import. Whether the host explains is asked once: each evaluation has a fresh instance.
#[cfg(target_arch = "wasm32")]
mod host_explain {
    use std::sync::OnceLock;

    use crate::bindings::crm::rules::explain as host;

    static EXPLAINING: OnceLock<bool> = OnceLock::new();

    fn explaining() -> bool {
        *EXPLAINING.get_or_init(host::explaining)
    }

    pub(crate) fn observe() {
        crate::explain::observe(crate::explain::Observer {
            explaining,
            note: host::trace,
            param_read: host::param_read,
        });
    }
}

/// The names of `modules`, in order.
#[doc(hidden)]
pub fn module_names(modules: &[Module]) -> Vec<String> {
    modules
        .iter()
        .map(|module| module.name.to_owned())
        .collect()
}

/// Declares a crate's rule modules: `"name" => function` pairs, each function a
/// [`ModuleFn`](crate::ModuleFn).
///
/// It defines `pub const MODULES: &[Module]` (what a native host or a test links), and on `wasm32`
/// exports the component's `evaluate` and `evaluate-packed` interfaces: the host passes the context
/// into the component once per evaluation (packed, when the host knows `evaluate-packed`) and runs
/// each module the pack manifest names on it.
#[macro_export]
macro_rules! export_modules {
    ($($name:literal => $run:path),+ $(,)?) => {
        /// The rule modules of this crate, by name.
        pub const MODULES: &[$crate::Module] = &[$($crate::Module { name: $name, run: $run }),+];

        #[cfg(target_arch = "wasm32")]
        const _: () = {
            use $crate::bindings::exports::crm::rules::evaluate as __evaluate;
            use $crate::bindings::exports::crm::rules::evaluate_packed as __evaluate_packed;

            struct __CrmRulesExport;

            struct __CrmRulesEvaluation($crate::Evaluation);

            struct __CrmRulesPackedEvaluation($crate::Evaluation);

            impl __evaluate::Guest for __CrmRulesExport {
                type Evaluation = __CrmRulesEvaluation;

                fn modules() -> Vec<String> {
                    $crate::module_names(MODULES)
                }
            }

            impl __evaluate::GuestEvaluation for __CrmRulesEvaluation {
                fn new(ctx: $crate::types::Context) -> Self {
                    __CrmRulesEvaluation($crate::Evaluation::new(ctx, MODULES))
                }

                fn run(&self, module: String) -> Result<$crate::types::RuleOutput, String> {
                    self.0.run(&module)
                }
            }

            impl __evaluate_packed::Guest for __CrmRulesExport {
                type Evaluation = __CrmRulesPackedEvaluation;
            }

            impl __evaluate_packed::GuestEvaluation for __CrmRulesPackedEvaluation {
                fn new(ctx: Vec<u8>) -> Self {
                    __CrmRulesPackedEvaluation($crate::Evaluation::unpack(&ctx, MODULES))
                }

                fn run(&self, module: String) -> Result<$crate::types::RuleOutput, String> {
                    self.0.run(&module)
                }
            }

            $crate::bindings::export_rule_world!(__CrmRulesExport with_types_in $crate::bindings);
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet(_ctx: &types::Context) -> Result<types::RuleOutput, String> {
        Ok(types::RuleOutput::empty())
    }

    const MODULES: &[Module] = &[Module {
        name: "quiet",
        run: quiet,
    }];

    #[test]
    fn a_buffer_that_does_not_unpack_makes_every_run_say_why() {
        let evaluation = Evaluation::unpack(&[2], MODULES);
        let error = evaluation.run("quiet").unwrap_err();
        assert!(error.contains("format version 2"), "{error}");
    }
}
