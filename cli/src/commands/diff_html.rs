//! The self-contained HTML report of `crm-rules diff --html`.
//!
//! One file a finance lead opens by double-clicking: inline CSS, three inline SVG charts drawn
//! here (action kinds side by side, money per currency, changed contexts), the first changed
//! contexts as a table, and no script, font or image from anywhere else. Every text taken from the
//! summary (pack names, keys, field values, error messages) goes through [`escape`]; amounts are
//! shown exactly as the summary writes them, and only bar lengths are computed as floats.

mod charts;
mod decimal;
mod rows;
mod svg;
mod tables;
#[cfg(test)]
mod tests;

use serde_json::Value;

/// The page's style sheet, inlined into the `<head>`.
const STYLE: &str = include_str!("../../templates/diff/report.css");

/// The report page for a diff summary (as `diff --json` prints it).
pub fn render(summary: &Value) -> String {
    let champion = PackLine::of(summary, "champion");
    let challenger = PackLine::of(summary, "challenger");
    let title = format!(
        "Policy diff: {} {} → {} {}",
        champion.name, champion.version, challenger.name, challenger.version
    );
    let sections = [
        header(summary, &champion, &challenger),
        "<main>\n".to_owned(),
        figures(summary),
        charts::kinds_section(summary),
        charts::money_section(summary),
        changed_section(summary),
        "</main>\n".to_owned(),
        footer(&champion, &challenger),
    ];
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"crm-rules diff\">\n<title>{}</title>\n\
         <style>\n{STYLE}</style>\n</head>\n<body>\n<div class=\"page\">\n{}</div>\n</body>\n</html>\n",
        escape(&title),
        sections.concat()
    )
}

/// `text` made safe for HTML text and for attribute values in double or single quotes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One pack's identity, as plain (unescaped) text.
struct PackLine {
    /// `[pack] name`.
    name: String,
    /// `[pack] version`.
    version: String,
    /// The full content hash (`sha256:…`).
    hash: String,
}

impl PackLine {
    /// The identity under `side` (`champion` or `challenger`) of the summary.
    fn of(summary: &Value, side: &str) -> PackLine {
        let field = |name: &str| plain(&summary[side][name]);
        PackLine {
            name: field("name"),
            version: field("version"),
            hash: field("hash"),
        }
    }

    /// The hash's algorithm and first eight hex digits, as the terminal summary shows it.
    fn short_hash(&self) -> &str {
        self.hash.get(..15).unwrap_or(&self.hash)
    }
}

/// A JSON value as text to display: a string as is, `null` as empty, anything else as JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A count of the summary at `path` (0 when absent).
fn count(summary: &Value, path: &[&str]) -> u64 {
    path.iter()
        .fold(summary, |value, name| &value[*name])
        .as_u64()
        .unwrap_or(0)
}

/// `part` as a percentage of `whole`, with one decimal (`0.0%` of nothing).
fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0.0%".to_owned();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

/// The page's header: both packs and the book.
fn header(summary: &Value, champion: &PackLine, challenger: &PackLine) -> String {
    let pack = |role: &str, class: &str, pack: &PackLine| {
        format!(
            "<div class=\"pack {class}\"><span class=\"role\">{role}</span>\
             <strong class=\"name\">{}</strong>\
             <span class=\"meta\">version {} · <code title=\"{}\">{}</code></span></div>\n",
            escape(&pack.name),
            escape(&pack.version),
            escape(&pack.hash),
            escape(pack.short_hash()),
        )
    };
    let contexts = count(summary, &["contexts"]);
    format!(
        "<header class=\"report-head\">\n<p class=\"kicker\">crm-rules · champion / challenger diff</p>\n\
         <h1>What <span class=\"challenger-name\">{}</span> would decide differently</h1>\n\
         <div class=\"packs\">\n{}<div class=\"vs\" aria-hidden=\"true\">→</div>\n{}\
         <div class=\"pack book\"><span class=\"role\">Book</span>\
         <strong class=\"name\">{contexts} contexts</strong>\
         <span class=\"meta\">every line decided by both packs</span></div>\n</div>\n</header>\n",
        escape(&challenger.name),
        pack("Champion · in force", "champion", champion),
        pack("Challenger · proposed", "challenger", challenger),
    )
}

/// The headline figures: how much of the book changed, and the errors on either side.
fn figures(summary: &Value) -> String {
    let contexts = count(summary, &["contexts"]);
    let compared = count(summary, &["compared"]);
    let changed = count(summary, &["changed"]);
    let card = |id: &str, label: &str, value: u64, note: &str, class: &str| {
        format!(
            "<div class=\"card {class}\"><dt>{label}</dt><dd class=\"big\" id=\"fig-{id}\">{value}</dd>\
             <dd class=\"note\">{note}</dd></div>\n"
        )
    };
    let sides = |id: &str, label: &str, note: &str| {
        let side = |name: &str| count(summary, &[id, name]);
        let total = side("champion") + side("challenger") + side("both");
        let class = if total > 0 {
            "card wide warn"
        } else {
            "card wide"
        };
        let cell = |name: &str, title: &str| {
            format!(
                "<span><b id=\"fig-{id}-{name}\">{}</b> {title}</span>",
                side(name)
            )
        };
        format!(
            "<div class=\"{class}\"><dt>{label}</dt><dd class=\"sides\">{}{}{}</dd>\
             <dd class=\"note\">{note}</dd></div>\n",
            cell("champion", "champion only"),
            cell("challenger", "challenger only"),
            cell("both", "both"),
        )
    };
    let changed_class = if changed > 0 { "accent" } else { "" };
    let also = format!(
        "{} status changes · {} next evaluations moved · {} suppressions added · {} suppressions removed",
        count(summary, &["status_changed"]),
        count(summary, &["next_evaluation_changed"]),
        count(summary, &["suppressions_added"]),
        count(summary, &["suppressions_removed"]),
    );
    [
        "<section class=\"figures\" aria-labelledby=\"figures-h\">\n\
         <h2 id=\"figures-h\">Headline figures</h2>\n<dl class=\"cards\">\n"
            .to_owned(),
        card(
            "contexts",
            "Contexts in the book",
            contexts,
            "input lines read",
            "",
        ),
        card(
            "compared",
            "Compared",
            compared,
            "decided by both packs",
            "",
        ),
        card(
            "changed",
            "Changed decisions",
            changed,
            &format!("{} of compared", percent(changed, compared)),
            changed_class,
        ),
        card(
            "accounts",
            "Accounts changed",
            count(summary, &["accounts_changed"]),
            "distinct accounts with a changed decision",
            "",
        ),
        sides(
            "input_errors",
            "Unreadable lines",
            "lines a pack could not read as a context",
        ),
        sides(
            "decisions_with_rule_errors",
            "Decisions with rule errors",
            "a rule failed; the decision is incomplete",
        ),
        format!("</dl>\n<p class=\"also\">{also}</p>\n</section>\n"),
    ]
    .concat()
}

/// Chart 3 and the examples: how many contexts changed, and the first of them in detail.
fn changed_section(summary: &Value) -> String {
    format!(
        "<section aria-labelledby=\"changed-h\">\n<h2 id=\"changed-h\">3. Changed accounts</h2>\n\
         <p class=\"lede\">How many contexts of the book get a different decision, then the first \
         of them in book order with what the challenger adds, removes or changes.</p>\n{}{}</section>\n",
        charts::changed_chart(summary),
        tables::examples(summary),
    )
}

/// The page's footer: the full hashes, and how to read the amounts.
fn footer(champion: &PackLine, challenger: &PackLine) -> String {
    format!(
        "<footer>\n<p>Amounts are exact decimals as the engine computed them; currencies are never \
         converted or added together, and money bars are scaled per currency. Counts of actions \
         are per action, not per context.</p>\n\
         <p>Champion <code>{}</code><br>Challenger <code>{}</code></p>\n\
         <p>Generated by <code>crm-rules diff --html</code>.</p>\n</footer>\n",
        escape(&champion.hash),
        escape(&challenger.hash),
    )
}
