#![doc = include_str!("../README.md")]

pub mod alloc;
pub mod batch;
pub mod decision;
pub mod engine;
pub mod error;
pub mod fixture;
pub mod json;
pub mod limits;
pub mod manifest;
pub mod pack;
mod script;
mod validate;
mod wasm;

pub use decision::{Decision, DecisionStatus, PackIdentity};
pub use engine::RuleEngine;
pub use error::{LoadError, RuleError, RuleErrorKind};
pub use limits::Limits;
pub use pack::RulePack;
