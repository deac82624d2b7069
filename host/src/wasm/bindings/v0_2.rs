//! Host-side bindings of the `crm:rules/rule@0.2.0` world (`wit/v0.2`): the exported `evaluate`
//! interface, whose `evaluation` resource takes the context once and runs modules on it by name.
//!
//! Unlike [`super::v0_1`], there is no `instantiate_checked_at_load` here: the exports live in the
//! generated `exports::crm::rules::evaluate::Guest`, whose fields are private to that generated
//! module, so the only safe way to get one is `GuestIndices::load`, which type-checks the three
//! functions (`[constructor]evaluation` with the whole `context`, `[method]evaluation.run`,
//! `modules`) on every instantiation. Skipping that would take `TypedFunc::new_unchecked`, i.e.
//! `unsafe` code; instances are therefore made with the generated [`RulePre::instantiate`].
#![allow(
    missing_docs,
    reason = "generated bindings; the WIT carries the documentation"
)]

wasmtime::component::bindgen!({
    world: "rule",
    path: "../wit/v0.2",
});

/// Every type of the 0.2 contract as generated here (`values`, `records`, `actions`), in one
/// namespace, like `crm_rules_contract::types` on the other side of the bridge.
pub(crate) mod types {
    // The interfaces `use` each other's types as aliases; name the originals so the globs agree.
    pub(crate) use super::crm::rules::actions::*;
    pub(crate) use super::crm::rules::records::Channel;
    pub(crate) use super::crm::rules::records::*;
    pub(crate) use super::crm::rules::values::*;
    pub(crate) use super::crm::rules::values::{
        Calendar, Date, Field, Money, Param, RecordKind, Value,
    };
}
