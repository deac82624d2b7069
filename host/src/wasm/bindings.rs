//! Host-side bindings of the `crm:rules/rule` world, generated from `wit/`.
#![allow(
    missing_docs,
    reason = "generated bindings; the WIT carries the documentation"
)]

wasmtime::component::bindgen!({
    world: "rule",
    path: "../wit",
});
