//! Reading the CRM's own data on a record: its tags and its custom fields.

use crate::types::{
    Account, BillingEntity, Contact, Deal, Field, Invoice, PaymentAttempt, Subscription, Value,
};

/// A record that carries tags and custom fields.
pub trait Extensible {
    /// The record's tags.
    fn tags(&self) -> &[String];
    /// The record's custom fields that have a value.
    fn fields(&self) -> &[Field];

    /// Whether the record has `tag`.
    fn has_tag(&self, tag: &str) -> bool {
        self.tags().iter().any(|known| known == tag)
    }

    /// The value of custom field `name`, if the record has one.
    fn field(&self, name: &str) -> Option<&Value> {
        self.fields()
            .iter()
            .find(|field| field.name == name)
            .map(|field| &field.value)
    }
}

macro_rules! extensible {
    ($($record:ty),+ $(,)?) => {
        $(
            impl Extensible for $record {
                fn tags(&self) -> &[String] {
                    &self.tags
                }
                fn fields(&self) -> &[Field] {
                    &self.fields
                }
            }
        )+
    };
}

extensible!(
    Account,
    Contact,
    Invoice,
    Deal,
    Subscription,
    PaymentAttempt,
    BillingEntity,
);
