//! # crm-rules-host
//!
//! The crm-rules runtime: it loads rule packs — Rhai scripts and WebAssembly components of the
//! `crm:rules/rule@0.2.0` world (or the frozen `@0.1.0` one) — and evaluates them against CRM records in a sandbox, returning a
//! [`Decision`] per context: actions with deterministic idempotency keys, suppressions with reasons,
//! per-module errors and costs. The repository README describes the contract, packs and fixtures.
//!
//! ```
//! use crm_rules_host::{DecisionStatus, Limits, RuleEngine};
//!
//! // Counts each thread's heap bytes, so Rhai rules are held to their memory limit too (see
//! // `RhaiMemory` for a host that cannot change its allocator).
//! #[global_allocator]
//! static ALLOCATOR: crm_rules_host::alloc::CountingAllocator =
//!     crm_rules_host::alloc::CountingAllocator;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = RuleEngine::new(Limits::default())?;
//! let pack = engine.load_pack("../rules/standard/rhai")?;
//! let context = crm_rules_host::json::context_from_json(r#"{
//!     "now": "2026-03-17T14:00:00Z",
//!     "account": {"id": "acc_1", "name": "Acme", "tier": "smb", "timezone": "America/New_York",
//!                 "currency": "USD", "contacts": [{"id": "c_1", "name": "Pat", "role": "billing",
//!                 "email": "ap@acme.example"}]},
//!     "invoices": [{"id": "inv_1", "status": "open", "currency": "USD", "total": "1200.00",
//!                   "issue_date": "2026-02-22", "due_date": "2026-03-24"}],
//!     "payment_attempts": [], "activities": [], "promises": []
//! }"#)?;
//! let decision = pack.evaluate(&context);
//! assert_eq!(decision.status, DecisionStatus::Complete);
//! assert_eq!(decision.actions[0].action.key, "rem:inv_1:pre-7");
//! # Ok(())
//! # }
//! ```
//!
//! - [`RuleEngine`]: one per process; owns the wasmtime engine, its epoch ticker and the frozen Rhai
//!   engine. Cheap to clone, `Send + Sync`.
//! - [`RulePack`]: a loaded pack; evaluations never fail (a module's failure is data in the
//!   decision) and may run on many threads at once.
//! - [`Limits`]: fuel, operations, deadline, memory and output caps, with safe defaults; an
//!   engine's limits are ceilings that packs and calls may lower, never raise.
//! - [`RhaiMemory`]: how Rhai scripts are held to the memory limit (counted, with
//!   [`alloc::CountingAllocator`] installed, or Rhai's size limits, explicitly).
//! - [`types`], [`json`], [`vocabulary`], [`wire`]: the contract (re-exported from
//!   `crm-rules-contract`): its records and actions, the JSON formats with errors that name the field
//!   path, what a pack declares, and the wire names of every enum.
//! - [`fixture`] and [`batch`]: what `crm-rules test` and `crm-rules batch` are made of.
//! - [`alloc::CountingAllocator`]: install it to hold Rhai scripts to the memory limit as well.

pub mod alloc;
pub mod batch;
#[doc(hidden)]
pub mod bench_support;
pub mod bundle;
pub mod decision;
pub mod diff;
pub mod engine;
pub mod error;
pub mod explain;
pub mod fixture;
pub mod limits;
pub mod manifest;
mod manifest_params;
mod manifest_vocabulary;
pub mod pack;
mod script;
pub mod split;
use crm_rules_contract::suggest;
mod validate;
mod validate_declared;
mod wasm;

pub use crm_rules_contract::{json, types, vocabulary, wire};
pub use decision::{Decision, DecisionStatus, PackIdentity};
pub use engine::{EngineOptions, RhaiMemory, RuleEngine};
pub use error::{BundleError, LoadError, RuleError, RuleErrorKind};
pub use limits::{LimitAboveCeilingError, LimitOverrides, Limits};
pub use pack::{ComponentLoads, RulePack};
