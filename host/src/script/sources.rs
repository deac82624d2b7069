//! What a script's values are made from: the typed context of one evaluation, with what a
//! script's view of it adds, and the names of its top-level fields.

use crm_rules_contract::types::{Context, Param};
use crm_rules_contract::vocabulary::Vocabulary;

/// The typed context and what a script's view of it adds: the parameter defaults the context does
/// not override, and the vocabulary that lays out custom fields and table rows.
pub(crate) struct Sources<'a> {
    /// The evaluation's context.
    pub(crate) ctx: &'a Context,
    /// Declared parameters the context leaves at their defaults.
    pub(crate) defaults: &'a [&'a Param],
    /// The pack's vocabulary.
    pub(crate) vocabulary: &'a Vocabulary,
}

/// The context's top-level fields as a script reads them (`ctx.invoices`), in a fixed order: the
/// index of a name here is its slot in the evaluation's cache ([`super::lazy_context`]).
pub(crate) const FIELDS: [&str; 14] = [
    "now",
    "today",
    "trigger",
    "account",
    "invoices",
    "deal_event",
    "payment_attempts",
    "activities",
    "promises",
    "subscriptions",
    "billing_entities",
    "calendar",
    "params",
    "seen_keys",
];
