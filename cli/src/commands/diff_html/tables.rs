//! The report's tables: the data behind charts 1 and 2 (folded away under each chart, for screen
//! readers and copying), and the changed contexts in detail, field by field.

use serde_json::Value;

use super::rows::{KindRow, MoneyRow};
use super::{count, escape, plain};

/// The counts of chart 1 as a table, in a `<details>`.
pub(super) fn kinds_table(rows: &[KindRow]) -> String {
    let body: String = rows
        .iter()
        .map(|row| {
            format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&row.kind),
                row.champion,
                row.challenger,
                row.added,
                row.removed,
                row.changed
            )
        })
        .collect();
    format!(
        "<details class=\"data\"><summary>Action kinds as a table</summary>\n\
         <table class=\"numbers\" id=\"table-kinds\">\n<thead><tr><th scope=\"col\">Action kind</th>\
         <th scope=\"col\">Champion</th><th scope=\"col\">Challenger</th><th scope=\"col\">Added</th>\
         <th scope=\"col\">Removed</th><th scope=\"col\">Changed</th></tr></thead>\n\
         <tbody>\n{body}</tbody>\n</table>\n</details>\n"
    )
}

/// The amounts of chart 2 as a table, in a `<details>`.
pub(super) fn money_table(rows: &[MoneyRow]) -> String {
    let body: String = rows
        .iter()
        .map(|row| {
            let cells: String = row
                .amounts
                .iter()
                .chain(row.net.as_ref())
                .map(|amount| format!("<td>{}</td>", escape(amount)))
                .collect();
            format!(
                "<tr><th scope=\"row\">{}</th>{cells}</tr>\n",
                escape(&row.currency)
            )
        })
        .collect();
    format!(
        "<details class=\"data\"><summary>Money per currency as a table</summary>\n\
         <table class=\"numbers\" id=\"table-money\">\n<thead><tr><th scope=\"col\">Currency</th>\
         <th scope=\"col\">Champion</th><th scope=\"col\">Challenger</th><th scope=\"col\">Added</th>\
         <th scope=\"col\">Removed</th><th scope=\"col\">Changed from</th>\
         <th scope=\"col\">Changed to</th><th scope=\"col\">Net change</th></tr></thead>\n\
         <tbody>\n{body}</tbody>\n</table>\n</details>\n"
    )
}

/// The summary's examples: one row per changed context, with what differs.
pub(super) fn examples(summary: &Value) -> String {
    let examples = summary["examples"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let changed = count(summary, &["changed"]);
    if examples.is_empty() {
        return "<p class=\"empty\">No context of the book gets a different decision.</p>\n"
            .to_owned();
    }
    let caption = if (examples.len() as u64) < changed {
        format!(
            "The first {} changed contexts in book order, of {changed}. \
             <span class=\"hint\">Run with <code>--examples N</code> for more, or \
             <code>--output FILE</code> for every one.</span>",
            examples.len()
        )
    } else {
        format!("The changed contexts in book order ({}).", examples.len())
    };
    let rows: String = examples.iter().map(example_row).collect();
    format!(
        "<table class=\"examples\" id=\"table-examples\">\n<caption>{caption}</caption>\n\
         <thead><tr><th scope=\"col\" class=\"line\">Line</th><th scope=\"col\">Account</th>\
         <th scope=\"col\">What the challenger decides differently</th></tr></thead>\n\
         <tbody>\n{rows}</tbody>\n</table>\n"
    )
}

/// One example as a table row.
fn example_row(example: &Value) -> String {
    let mut items = Vec::new();
    for (side, name) in [
        ("champion_error", "The champion"),
        ("challenger_error", "The challenger"),
    ] {
        if let Some(error) = example.get(side).filter(|error| !error.is_null()) {
            items.push(item(
                "error",
                "Unreadable",
                &format!("{name} cannot read this line: {}", escape(&plain(error))),
            ));
        }
    }
    for action in list(example, "added") {
        items.push(item("added", "Added", &action_text(action)));
    }
    for action in list(example, "removed") {
        items.push(item("removed", "Removed", &action_text(action)));
    }
    for action in list(example, "changed") {
        items.push(item("changed", "Changed", &changed_text(action)));
    }
    for (name, class, tag) in [
        ("suppressions_added", "added", "Suppression added"),
        ("suppressions_removed", "removed", "Suppression removed"),
    ] {
        for suppression in list(example, name) {
            items.push(item(class, tag, &suppression_text(suppression)));
        }
    }
    for (name, tag) in [
        ("status", "Status"),
        ("next_evaluation_at", "Next evaluation"),
        ("errors", "Rule errors"),
    ] {
        if let Some([before, after]) = example.get(name).and_then(pair) {
            let show = |value: &Value| {
                if name == "errors" {
                    errors_text(value)
                } else {
                    value_html(value)
                }
            };
            let text = format!("<del>{}</del> → <ins>{}</ins>", show(before), show(after));
            items.push(item("changed", tag, &text));
        }
    }
    let account = example.get("account_id").map(plain).unwrap_or_default();
    let context = example.get("context_id").map(plain).unwrap_or_default();
    let context = if context.is_empty() {
        String::new()
    } else {
        format!(
            "<span class=\"context\">context {}</span>",
            escape(&context)
        )
    };
    format!(
        "<tr><td class=\"line\">{}</td><td class=\"account\"><strong>{}</strong>{context}</td>\
         <td><ul class=\"changes\">{}</ul></td></tr>\n",
        count(example, &["line"]),
        if account.is_empty() {
            "(no account)".to_owned()
        } else {
            escape(&account)
        },
        items.concat(),
    )
}

/// The array at `name` of `value` (empty when absent).
fn list<'a>(value: &'a Value, name: &str) -> &'a [Value] {
    value[name].as_array().map_or(&[][..], Vec::as_slice)
}

/// A `[before, after]` pair.
fn pair(value: &Value) -> Option<[&Value; 2]> {
    match value.as_array()?.as_slice() {
        [before, after] => Some([before, after]),
        _ => None,
    }
}

/// A list item of the changes, tagged (`Added`) and styled by `class`; `html` is already escaped.
fn item(class: &str, tag: &str, html: &str) -> String {
    format!("<li class=\"{class}\"><span class=\"tag\">{tag}</span> {html}</li>")
}

/// A JSON value for a reader, escaped: text as is, `null` as *absent*, anything else as JSON.
fn value_html(value: &Value) -> String {
    match value {
        Value::Null => "<em>absent</em>".to_owned(),
        other => escape(&plain(other)),
    }
}

/// An action: its kind, key and rule, the money it carries, and its reason.
fn action_text(action: &Value) -> String {
    let field = |name: &str| action.get(name).map(plain).unwrap_or_default();
    let money = ["amount", "total"]
        .iter()
        .map(|name| field(name))
        .find(|amount| !amount.is_empty())
        .map(|amount| {
            format!(
                " <span class=\"money\">{} {}</span>",
                escape(&field("currency")),
                escape(&amount)
            )
        })
        .unwrap_or_default();
    let rule = field("rule");
    let rule = if rule.is_empty() {
        String::new()
    } else {
        format!(" <span class=\"rule\">by {}</span>", escape(&rule))
    };
    let reason = field("reason");
    let reason = if reason.is_empty() {
        String::new()
    } else {
        format!("<span class=\"reason\">{}</span>", escape(&reason))
    };
    format!(
        "<span class=\"kind\">{}</span> <code>{}</code>{money}{rule}{reason}",
        escape(&field("kind")),
        escape(&field("key")),
    )
}

/// A changed action: its kind and key, then each field before → after.
fn changed_text(change: &Value) -> String {
    let fields: String = list(change, "fields")
        .iter()
        .map(|field| {
            format!(
                "<li><code>{}</code> <del>{}</del> → <ins>{}</ins></li>",
                escape(&plain(&field["field"])),
                value_html(&field["champion"]),
                value_html(&field["challenger"]),
            )
        })
        .collect();
    format!(
        "<span class=\"kind\">{}</span> <code>{}</code><ul class=\"fields\">{fields}</ul>",
        escape(&plain(&change["kind"])),
        escape(&plain(&change["key"])),
    )
}

/// A suppression: its rule, subject and reason when it has them, else its JSON.
fn suppression_text(suppression: &Value) -> String {
    let parts: Vec<String> = ["rule", "subject_id", "reason"]
        .iter()
        .filter_map(|name| suppression.get(*name).map(plain))
        .filter(|part| !part.is_empty())
        .collect();
    if parts.is_empty() {
        escape(&suppression.to_string())
    } else {
        escape(&parts.join(" · "))
    }
}

/// One side's rule errors: `module: message` each, or *none*.
fn errors_text(errors: &Value) -> String {
    let messages: Vec<String> = errors
        .as_array()
        .into_iter()
        .flatten()
        .map(|error| {
            let module = plain(&error["module"]);
            let message = plain(&error["message"]);
            escape(&if module.is_empty() {
                message
            } else {
                format!("{module}: {message}")
            })
        })
        .collect();
    if messages.is_empty() {
        "<em>none</em>".to_owned()
    } else {
        messages.join("; ")
    }
}
