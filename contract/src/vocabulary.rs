//! A pack's vocabulary: the names the contract leaves open, declared by the pack so that the host
//! can hold input and output to them.
//!
//! The contract's core is typed and closed. Where a finance team needs its own names it takes a
//! string, and the pack declares each one it uses: the CRM's custom fields it reads (which record,
//! which type, whether required) and writes, its notice templates (reminder steps), its dunning
//! states, its own action kinds and events with their typed fields, and its own suppression reasons.
//! Input naming anything undeclared is an input error with its path; output naming anything
//! undeclared is `bad-output`.

use crate::types::RecordKind;
pub use crate::value_type::ValueType;

/// One declared field: of a record, of a custom action kind, or of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field's name (`po_number`).
    pub name: String,
    /// Its type.
    pub ty: ValueType,
    /// Input (a record) or output (an action, an event) without it is an error.
    pub required: bool,
}

/// A custom field of a kind of record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordField {
    /// The kind of record that carries it.
    pub record: RecordKind,
    /// Its name, type and whether every such record must have it.
    pub spec: FieldSpec,
    /// Rules may write it with `set-field`.
    pub writable: bool,
}

/// A pack-declared action kind or event, with its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindSpec {
    /// The kind's or event's name (`open-ticket`, `campaign-ended`).
    pub name: String,
    /// Its fields.
    pub fields: Vec<FieldSpec>,
}

/// What a pack declares (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Vocabulary {
    /// Custom fields of records.
    pub fields: Vec<RecordField>,
    /// Notice templates: what `send-reminder`'s `step` and `send-notice`'s `template` may name.
    pub templates: Vec<String>,
    /// Dunning states, most severe first (the order is the pack's own; the host keeps it).
    pub states: Vec<String>,
    /// Action kinds of the pack's own.
    pub actions: Vec<KindSpec>,
    /// Events the pack emits.
    pub events: Vec<KindSpec>,
    /// Suppression reasons beyond the core set.
    pub suppressions: Vec<String>,
    /// The pack's parameters, when the reader is to check a context's overrides against them (a
    /// pack's reader always does; `None` reads scalar overrides by their JSON shape).
    pub params: Option<Vec<crate::params::ParamSpec>>,
}

/// The reminder steps of contract 0.1, the only templates a 0.1 pack can name.
pub const STEPS_0_1: &[&str] = &["pre-7", "pre-3", "due", "post-1"];

impl Vocabulary {
    /// What a pack written for contract 0.1 implicitly declares: the four reminder steps, nothing
    /// else.
    pub fn contract_0_1() -> Vocabulary {
        Vocabulary {
            templates: STEPS_0_1.iter().map(|step| (*step).to_owned()).collect(),
            ..Vocabulary::default()
        }
    }

    /// The custom fields declared for a kind of record.
    pub fn record_fields(&self, record: RecordKind) -> impl Iterator<Item = &RecordField> {
        self.fields
            .iter()
            .filter(move |field| field.record == record)
    }

    /// The declared custom field `name` of a kind of record.
    pub fn record_field(&self, record: RecordKind, name: &str) -> Option<&RecordField> {
        self.record_fields(record)
            .find(|field| field.spec.name == name)
    }

    /// Whether `name` is a declared template.
    pub fn has_template(&self, name: &str) -> bool {
        self.templates.iter().any(|known| known == name)
    }

    /// Whether `name` is a declared dunning state.
    pub fn has_state(&self, name: &str) -> bool {
        self.states.iter().any(|known| known == name)
    }

    /// The declared action kind `name`.
    pub fn action(&self, name: &str) -> Option<&KindSpec> {
        self.actions.iter().find(|kind| kind.name == name)
    }

    /// The declared event `name`.
    pub fn event(&self, name: &str) -> Option<&KindSpec> {
        self.events.iter().find(|kind| kind.name == name)
    }

    /// Whether `name` is a declared suppression reason.
    pub fn has_suppression(&self, name: &str) -> bool {
        self.suppressions.iter().any(|known| known == name)
    }
}

/// The names a message offers instead of an unknown one: `a, b, c`, or `none declared`.
pub fn listing<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        "none are declared".to_owned()
    } else {
        format!("expected one of {}", names.join(", "))
    }
}

/// The fields of a core action kind, by wire name and type: what an activity that executed such an
/// action carries in its `fields` (a custom kind's fields are the ones the pack declares).
pub fn core_action_fields(kind: &crate::types::ActionKind) -> &'static [(&'static str, ValueType)] {
    use crate::types::ActionKind as K;
    use ValueType::{Bool, Integer, Money, Text, TextList};
    match kind {
        K::CreateInvoice => &[
            ("deal_id", Text),
            ("source", Text),
            ("amount", Money),
            ("net_terms_days", Integer),
            ("send", Bool),
        ],
        K::SendInvoice => &[("invoice_id", Text)],
        K::HoldForReview => &[("queue", Text), ("subject_id", Text)],
        K::SendReminder => &[
            ("invoice_id", Text),
            ("step", Text),
            ("channel", Text),
            ("contact_id", Text),
            ("payment_link", Text),
            ("link_expired", Bool),
        ],
        K::CreateTask => &[
            ("assignee_role", Text),
            ("assignee_id", Text),
            ("title", Text),
            ("due_in_business_days", Integer),
            ("invoice_id", Text),
        ],
        K::Escalate => &[
            ("target", Text),
            ("invoice_id", Text),
            ("currency", Text),
            ("days_past_due", Integer),
        ],
        K::NotifyInternal => &[
            ("recipient_role", Text),
            ("recipient_id", Text),
            ("message", Text),
        ],
        K::SetCreditHold | K::ReleaseCreditHold => &[("hold_reason", Text)],
        K::SetCreditTerms => &[("net_terms_days", Integer), ("require_prepayment", Bool)],
        K::RequestPaymentMethodUpdate => &[("attempt_id", Text)],
        K::MarkPromiseKept | K::MarkPromiseBroken => &[("promise_id", Text)],
        K::NoAction | K::Custom(_) => &[],
        K::EnterDunningState => &[
            ("state", Text),
            ("blocks", TextList),
            ("customer_message", Text),
            ("subscriptions", Text),
        ],
        K::LeaveDunningState => &[("state", Text)],
        K::ApplyFee => &[
            ("fee_kind", Text),
            ("amount", Money),
            ("invoice_id", Text),
            ("placement", Text),
            ("label", Text),
        ],
        K::SendNotice => &[
            ("template", Text),
            ("channel", Text),
            ("contact_id", Text),
            ("invoice_ids", TextList),
            ("instalment_id", Text),
            ("amount_due", Money),
            ("fee", Money),
            ("interest", Money),
            ("total", Money),
            ("payment_link", Text),
        ],
        K::RequestPayment => &[
            ("amount", Money),
            ("invoice_ids", TextList),
            ("attempt", Integer),
        ],
        K::SetField => &[("record", Text), ("record_id", Text), ("name", Text)],
        K::EmitEvent => &[("name", Text)],
        K::ChangeSubscription => &[("subscription_id", Text), ("change", Text)],
    }
}
