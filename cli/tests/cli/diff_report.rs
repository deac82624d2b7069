//! `crm-rules diff --html`: the report of a real diff (the standard pack against a copy with two
//! changed parameters) is one self-contained page holding the figures of `--json` of the same run,
//! three charts, and every user text escaped.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{crm_rules, root, scratch, text};

/// A copy of the standard Rhai pack in `dir` named `name`, beside its own params file (the same
/// `../params.toml` layout) with E1's follow-up at 10 days instead of 15 and B12's default terms at
/// 45 days instead of 30: tasks are added and removed, invoices change their terms.
fn challenger(dir: &Path, name: &str) -> PathBuf {
    assert!(
        !name.contains(['"', '\\']),
        "the name is written as is in TOML"
    );
    let standard = root().join("rules/standard");
    let pack = dir.join("standard/rhai");
    std::fs::create_dir_all(&pack).unwrap();
    for entry in std::fs::read_dir(standard.join("rhai")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), pack.join(entry.file_name())).unwrap();
    }
    let manifest = std::fs::read_to_string(pack.join("pack.toml")).unwrap();
    let renamed = manifest.replacen("name = \"standard-rhai\"", &format!("name = \"{name}\""), 1);
    assert_ne!(
        renamed, manifest,
        "the standard pack is named standard-rhai"
    );
    std::fs::write(pack.join("pack.toml"), renamed).unwrap();
    let mut params = std::fs::read_to_string(standard.join("params.toml")).unwrap();
    for (from, to) in [
        ("followup_days_past_due = 15", "followup_days_past_due = 10"),
        ("default_net_terms_days = 30", "default_net_terms_days = 45"),
    ] {
        assert!(params.contains(from), "params.toml holds {from}");
        params = params.replacen(from, to, 1);
    }
    std::fs::write(dir.join("standard/params.toml"), params).unwrap();
    pack
}

/// The summary (`--json`) and the page (`--html`) of one diff of the example book.
fn diff(name: &str, challenger_name: &str) -> (Value, String) {
    let dir = scratch(name);
    let pack = challenger(&dir, challenger_name);
    let page = dir.join("report.html");
    let out = crm_rules(&[
        "diff",
        "rules/standard/rhai",
        pack.to_str().unwrap(),
        "--input",
        "examples/book.ndjson",
        "--examples",
        "5",
        "--json",
        "--html",
        page.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let page = std::fs::read_to_string(&page).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (summary, page)
}

fn number(value: &Value) -> u64 {
    value.as_u64().unwrap()
}

fn assert_holds(page: &str, needle: &str) {
    assert!(page.contains(needle), "the report lacks {needle}");
}

#[test]
fn the_html_report_is_self_contained_with_the_figures_of_the_json() {
    let (summary, page) = diff("diff-report", "standard-next");
    assert!(
        number(&summary["changed"]) > 0,
        "the changed params change decisions"
    );
    assert!(page.starts_with("<!doctype html>"));
    for outside in [
        "http://", "https://", "<link", "src=", "<script", "@import", "url(",
    ] {
        assert!(!page.contains(outside), "the report holds {outside}");
    }
    let pack = |side: &str| {
        let text = |name: &str| summary[side][name].as_str().unwrap().to_owned();
        (text("name"), text("version"), text("hash"))
    };
    let (champion, champion_version, champion_hash) = pack("champion");
    let (challenger, challenger_version, _) = pack("challenger");
    assert_eq!(
        (champion.as_str(), challenger.as_str()),
        ("standard-rhai", "standard-next")
    );
    assert_holds(
        &page,
        &format!(
            "<title>Policy diff: {champion} {champion_version} → {challenger} {challenger_version}</title>"
        ),
    );
    assert_holds(&page, &champion_hash[..15]);

    assert_eq!(page.matches("<svg").count(), 3, "three charts");
    assert_eq!(page.matches("role=\"img\" aria-label=\"").count(), 3);
    for id in ["chart-kinds", "chart-money", "chart-changed"] {
        assert_holds(&page, &format!("id=\"{id}\""));
    }

    for (id, path) in [
        ("contexts", &summary["contexts"]),
        ("compared", &summary["compared"]),
        ("changed", &summary["changed"]),
        ("accounts", &summary["accounts_changed"]),
    ] {
        assert_holds(&page, &format!("id=\"fig-{id}\">{}<", number(path)));
    }
    for group in ["input_errors", "decisions_with_rule_errors"] {
        for side in ["champion", "challenger", "both"] {
            let count = number(&summary[group][side]);
            assert_holds(&page, &format!("id=\"fig-{group}-{side}\">{count}<"));
        }
    }

    let kinds = summary["kinds"].as_object().unwrap();
    assert!(kinds.values().any(|counts| number(&counts["added"]) > 0));
    for (kind, counts) in kinds {
        let cells: String = ["champion", "challenger", "added", "removed", "changed"]
            .iter()
            .map(|name| format!("<td>{}</td>", number(&counts[*name])))
            .collect();
        assert_holds(
            &page,
            &format!("<tr><th scope=\"row\">{kind}</th>{cells}</tr>"),
        );
    }

    let money = summary["money"].as_object().unwrap();
    assert!(!money.is_empty());
    for (currency, totals) in money {
        let amount = |name: &str| totals[name].as_str().unwrap().to_owned();
        let cells: String = [
            "champion",
            "challenger",
            "added",
            "removed",
            "changed_from",
            "changed_to",
        ]
        .iter()
        .map(|name| format!("<td>{}</td>", amount(name)))
        .collect();
        assert_holds(
            &page,
            &format!("<tr><th scope=\"row\">{currency}</th>{cells}"),
        );
        // The chart writes the totals exactly too, not through a float.
        assert_holds(&page, &format!(">{}</text>", amount("champion")));
        assert_holds(&page, &format!(">{}</text>", amount("challenger")));
    }

    let examples = summary["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 5);
    for example in examples {
        assert_holds(
            &page,
            &format!("<td class=\"line\">{}</td>", number(&example["line"])),
        );
        assert_holds(&page, example["account_id"].as_str().unwrap());
        for action in example["added"].as_array().into_iter().flatten() {
            assert_holds(&page, action["key"].as_str().unwrap());
        }
    }
    assert_holds(
        &page,
        "<code>net_terms_days</code> <del>30</del> → <ins>45</ins>",
    );
}

#[test]
fn a_hostile_pack_name_is_escaped_in_the_html_report() {
    let hostile = "<script>alert(1)</script>";
    let (summary, page) = diff("diff-report-hostile", hostile);
    assert_eq!(
        summary["challenger"]["name"], hostile,
        "the loader keeps the name"
    );
    assert!(
        !page.contains("<script"),
        "the name got into the page as markup"
    );
    assert_holds(&page, "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_holds(
        &page,
        "<title>Policy diff: standard-rhai 0.2.0 → &lt;script&gt;",
    );
}
