//! Host-side bindings of the `crm:rules/rule@0.2.0` world (`wit/v0.2`): the exported `evaluate`
//! interface, whose `evaluation` resource takes the context once and runs modules on it by name.
//!
//! The generated [`RulePre::instantiate`] loads the exports with `GuestIndices::load`, which
//! type-checks the three functions (`[constructor]evaluation` with the whole `context`,
//! `[method]evaluation.run`, `modules`) on every instantiation: about 3 µs, as much as the
//! instantiation itself. A session instantiates through [`CheckedPre`] instead, which type-checks
//! them once, at load, and then only looks them up by index (see `checked.rs`).
#![allow(
    missing_docs,
    reason = "generated bindings; the WIT carries the documentation"
)]

wasmtime::component::bindgen!({
    world: "rule",
    path: "../wit/v0.2",
    // The context crosses as references into the host's own (`wasm::lend_v0_2`): a type the
    // context and an output share gets two names, `...Param<'a>` going in, `...Result` coming out.
    ownership: Borrowing {
        duplicate_if_necessary: true
    },
});

mod checked;
pub(crate) use checked::{CheckedPre, Crossing, Live};

/// Every type of the 0.2 contract as generated here (`values`, `records`, `actions`), in one
/// namespace, like `crm_rules_contract::types` on the other side of the bridge.
pub(crate) mod types {
    // The interfaces `use` each other's types as aliases; name the originals so the globs agree.
    pub(crate) use super::crm::rules::actions::*;
    pub(crate) use super::crm::rules::records::Channel;
    pub(crate) use super::crm::rules::records::*;
    pub(crate) use super::crm::rules::values::*;
    pub(crate) use super::crm::rules::values::{
        Calendar, Date, FieldParam, FieldResult, MoneyParam, MoneyResult, Param, RecordKind,
        ValueParam, ValueResult,
    };
}
