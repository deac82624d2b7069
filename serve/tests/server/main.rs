//! `crm-rules serve` tested as a host app meets it: a real server on a loopback port, real HTTP.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed expectation is the test failing"
)]

mod api;
mod arms;
mod harness;
mod load;

/// Counts each thread's heap use, as the `crm-rules` binary does, so Rhai rules served here are
/// held to their memory limit exactly as in production.
#[global_allocator]
static ALLOCATOR: crm_rules_host::alloc::CountingAllocator =
    crm_rules_host::alloc::CountingAllocator;
