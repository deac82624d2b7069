//! The report's three inline SVG charts, drawn from the summary: action kinds side by side, money
//! per currency, and changed against unchanged contexts. Every text in them is escaped like the
//! rest of the page; floats only size bars, amounts are written as the summary has them.

use serde_json::Value;

use super::rows::{KindRow, MoneyRow};
use super::svg::{LABEL_EM, WIDTH, fit, legend, line, nice_step, rect, svg, text, text_width};
use super::{count, decimal, percent, tables};

/// Chart 1 and its data table.
pub(super) fn kinds_section(summary: &Value) -> String {
    let rows = KindRow::all(summary);
    format!(
        "<section aria-labelledby=\"kinds-h\">\n<h2 id=\"kinds-h\">1. Action kinds, side by side</h2>\n\
         <p class=\"lede\">Actions each pack asks for over the whole book, per kind; kinds the \
         challenger changes come first. <b class=\"added\">Added</b>: only the challenger asks for it; \
         <b class=\"removed\">removed</b>: only the champion; <b class=\"changed\">changed</b>: both, \
         with different fields.</p>\n{}{}</section>\n",
        kinds_chart(&rows),
        tables::kinds_table(&rows),
    )
}

/// Grouped horizontal bars, champion over challenger, with the added, removed and changed counts.
fn kinds_chart(rows: &[KindRow]) -> String {
    const HEAD: f64 = 32.0;
    const ROW: f64 = 32.0;
    let id = "chart-kinds";
    if rows.is_empty() {
        let note = "Neither pack asked for any action on this book.";
        let body = text(WIDTH / 2.0, 36.0, "empty", "middle", note);
        return svg(id, WIDTH, 56.0, "Action kinds: none", note, &body);
    }
    let labels = rows
        .iter()
        .map(|row| row.kind.chars().count() as f64 * 13.0 * LABEL_EM);
    let label_end = labels.fold(0.0, f64::max).clamp(110.0, 280.0) + 4.0;
    let bar_start = label_end + 12.0;
    let max = rows
        .iter()
        .map(|row| row.champion.max(row.challenger))
        .max();
    let step = nice_step(max.unwrap_or(0).max(1));
    let axis_max = max.unwrap_or(0).max(1).div_ceil(step) * step;
    let bar_room = 700.0 - bar_start;
    let length = |value: u64| value as f64 / axis_max as f64 * bar_room;
    let bottom = HEAD + ROW * rows.len() as f64;
    let columns = [
        ("Added", 810.0, "added"),
        ("Removed", 905.0, "removed"),
        ("Changed", 1000.0, "changed"),
    ];
    let mut body = legend(bar_start, 20.0);
    for (title, x, _) in columns {
        body.push_str(&text(x, 20.0, "colhead", "end", title));
    }
    for (index, row) in rows.iter().enumerate() {
        let top = HEAD + ROW * index as f64;
        if row.touched() {
            body.push_str(&rect(0.0, top, WIDTH, ROW, "band"));
        }
    }
    for tick in (0..=axis_max).step_by(usize::try_from(step).unwrap_or(1)) {
        let x = bar_start + length(tick);
        body.push_str(&line(x, HEAD, x, bottom, "grid"));
        body.push_str(&text(x, bottom + 16.0, "tick", "middle", &tick.to_string()));
    }
    for (index, row) in rows.iter().enumerate() {
        let top = HEAD + ROW * index as f64;
        let class = if row.touched() { "kind strong" } else { "kind" };
        let label = fit(&row.kind, 13.0, label_end - 4.0);
        body.push_str(&text(label_end, top + 20.5, class, "end", &label));
        for (value, offset, bar) in [
            (row.champion, 5.0, "bar-champion"),
            (row.challenger, 17.0, "bar-challenger"),
        ] {
            let width = length(value);
            body.push_str(&rect(bar_start, top + offset, width, 10.0, bar));
            let x = bar_start + width + 5.0;
            body.push_str(&text(
                x,
                top + offset + 9.0,
                "val",
                "start",
                &value.to_string(),
            ));
        }
        for ((_, x, class), value) in columns.iter().zip([row.added, row.removed, row.changed]) {
            let class = if value > 0 { class } else { "zero" };
            body.push_str(&text(*x, top + 20.5, class, "end", &value.to_string()));
        }
        body.push_str(&line(0.0, top + ROW, WIDTH, top + ROW, "rule"));
    }
    let described: Vec<String> = rows
        .iter()
        .map(|row| {
            format!(
                "{}: champion {}, challenger {} ({} added, {} removed, {} changed)",
                row.kind, row.champion, row.challenger, row.added, row.removed, row.changed
            )
        })
        .collect();
    let label = "Action kinds side by side: actions per kind, champion against challenger";
    svg(
        id,
        WIDTH,
        bottom + 24.0,
        label,
        &described.join("; "),
        &body,
    )
}

/// Chart 2 and its data table.
pub(super) fn money_section(summary: &Value) -> String {
    let rows = MoneyRow::all(summary);
    format!(
        "<section aria-labelledby=\"money-h\">\n<h2 id=\"money-h\">2. Money per currency</h2>\n\
         <p class=\"lede\">The money the actions touch, per currency, exactly as computed: what an \
         action carries (the amount of an invoice to create, a fee or a payment request, the total \
         of a notice), else the amount due of the invoices it is about, each invoice once per \
         decision. Each currency has its own scale; nothing is converted.</p>\n{}{}</section>\n",
        money_chart(&rows),
        tables::money_table(&rows),
    )
}

/// Per currency: champion and challenger totals as bars, then what was added, removed, changed
/// and the net change.
fn money_chart(rows: &[MoneyRow]) -> String {
    const HEAD: f64 = 34.0;
    const ROW: f64 = 50.0;
    const SIZE: f64 = 12.0;
    let id = "chart-money";
    if rows.is_empty() {
        let note = "No action of either pack carries money on this book.";
        let body = text(WIDTH / 2.0, 36.0, "empty", "middle", note);
        return svg(id, WIDTH, 56.0, "Money per currency: none", note, &body);
    }
    let cells: Vec<[String; 4]> = rows.iter().map(money_cells).collect();
    let titles = ["Added", "Removed", "Changed (from → to)", "Net change"];
    let mut widths = titles.map(|title| text_width(title, SIZE));
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = width.max(text_width(cell, SIZE));
        }
    }
    let amount_room = rows
        .iter()
        .flat_map(|row| row.amounts[..2].iter())
        .map(|amount| text_width(amount, SIZE))
        .fold(0.0, f64::max)
        + 14.0;
    let columns_width: f64 = widths.iter().map(|width| width + 30.0).sum();
    let bar_start = 80.0;
    let width = WIDTH.max(bar_start + 200.0 + amount_room + columns_width);
    let bar_room = width - columns_width - amount_room - bar_start;
    let mut ends = [0.0; 4];
    let mut right = width;
    for index in (0..4).rev() {
        ends[index] = right;
        right -= widths[index] + 30.0;
    }
    let mut body = legend(bar_start, 20.0);
    for (title, x) in titles.iter().zip(ends) {
        body.push_str(&text(x, 20.0, "colhead", "end", title));
    }
    for (index, (row, cells)) in rows.iter().zip(&cells).enumerate() {
        let top = HEAD + ROW * index as f64;
        let scale = decimal::magnitude(&row.amounts[0]).max(decimal::magnitude(&row.amounts[1]));
        let currency = fit(&row.currency, 14.0, bar_start - 8.0);
        body.push_str(&text(0.0, top + 30.0, "currency", "start", &currency));
        for (amount, offset, bar) in [
            (&row.amounts[0], 9.0, "bar-champion"),
            (&row.amounts[1], 27.0, "bar-challenger"),
        ] {
            let length = if scale > 0.0 {
                decimal::magnitude(amount) / scale * bar_room
            } else {
                0.0
            };
            body.push_str(&rect(bar_start, top + offset, length, 14.0, bar));
            let x = bar_start + length + 6.0;
            body.push_str(&text(x, top + offset + 11.0, "val", "start", amount));
        }
        let [_, _, _, _, from, to] = &row.amounts;
        let moved = decimal::difference(to, from).is_none_or(|net| !decimal::is_zero(&net));
        let classes = [
            "added",
            "removed",
            if moved { "changed" } else { "same" },
            "net",
        ];
        for ((cell, x), class) in cells.iter().zip(ends).zip(classes) {
            let class = if cell == "0" || decimal::is_zero(cell) {
                "zero"
            } else {
                class
            };
            body.push_str(&text(x, top + 30.0, class, "end", cell));
        }
        body.push_str(&line(0.0, top + ROW, width, top + ROW, "rule"));
    }
    let described: Vec<String> = rows
        .iter()
        .zip(&cells)
        .map(|(row, cells)| {
            format!(
                "{}: champion {}, challenger {}, added {}, removed {}, changed {}, net {}",
                row.currency,
                row.amounts[0],
                row.amounts[1],
                cells[0],
                cells[1],
                cells[2],
                cells[3]
            )
        })
        .collect();
    let label = "Money per currency: champion and challenger totals, with the amounts added, removed and changed";
    let height = HEAD + ROW * rows.len() as f64 + 8.0;
    svg(id, width, height, label, &described.join("; "), &body)
}

/// The added, removed, changed and net texts of one currency.
fn money_cells(row: &MoneyRow) -> [String; 4] {
    let [_, _, added, removed, from, to] = &row.amounts;
    let changed = if decimal::is_zero(from) && decimal::is_zero(to) {
        "0".to_owned()
    } else {
        format!("{from} → {to}")
    };
    let net = row.net.clone().unwrap_or_else(|| "n/a".to_owned());
    [added.clone(), removed.clone(), changed, net]
}

/// Chart 3: one bar of the book, changed, unchanged and unreadable contexts.
pub(super) fn changed_chart(summary: &Value) -> String {
    let contexts = count(summary, &["contexts"]);
    let compared = count(summary, &["compared"]);
    let changed = count(summary, &["changed"]).min(compared);
    let accounts = count(summary, &["accounts_changed"]);
    let parts = [
        (
            changed,
            "seg-changed",
            format!(
                "{changed} changed ({} of compared) on {accounts} accounts",
                percent(changed, compared)
            ),
        ),
        (
            compared - changed,
            "seg-same",
            format!("{} unchanged", compared - changed),
        ),
        (
            contexts.saturating_sub(compared),
            "seg-unread",
            format!("{} unreadable by a pack", contexts.saturating_sub(compared)),
        ),
    ];
    let total = contexts.max(compared).max(1) as f64;
    let mut body = rect(0.0, 8.0, WIDTH, 28.0, "seg-empty");
    let mut x = 0.0;
    let mut legend_x = 0.0;
    for (value, class, label) in &parts {
        let mut width = *value as f64 / total * WIDTH;
        if *value > 0 {
            width = width.max(3.0);
        }
        body.push_str(&rect(x, 8.0, width.min(WIDTH - x), 28.0, class));
        x += width;
        body.push_str(&rect(legend_x, 50.0, 12.0, 12.0, class));
        body.push_str(&text(legend_x + 18.0, 60.0, "legend", "start", label));
        legend_x += 18.0 + text_width(label, 12.0) + 30.0;
    }
    let label = format!(
        "Changed contexts: {changed} of {compared} compared contexts changed ({}), {} unchanged, {} unreadable",
        percent(changed, compared),
        compared - changed,
        contexts.saturating_sub(compared),
    );
    svg("chart-changed", WIDTH, 70.0, &label, &label, &body)
}
