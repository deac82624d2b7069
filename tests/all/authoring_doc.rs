//! `docs/authoring.md` stays true: the pack it builds is the real `examples/packs/first-pack`
//! (its manifest, script and a fixture case quoted verbatim, every fixture passing, the expectations
//! the guide teaches used, the decision `eval` prints for `try.json`), and every Rhai helper it shows being called is one a rule can call
//! (`host/src/script/rhai_functions.txt`), so the guide cannot promise a helper that does not exist.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crm_rules_host::fixture;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn guide() -> String {
    read(&crm_rules_tests::root().join("docs/authoring.md"))
}

fn pack_dir() -> PathBuf {
    crm_rules_tests::root().join("examples/packs/first-pack")
}

#[test]
fn the_first_pack_passes_every_fixture() {
    let pack = super::engine()
        .load_pack(pack_dir())
        .unwrap_or_else(|error| panic!("{error}"));
    let cases = fixture::load_dir(&pack.fixtures_dir()).unwrap_or_else(|error| panic!("{error}"));
    assert!(
        (3..=5).contains(&cases.len()),
        "the first pack is meant to be small: {} cases",
        cases.len()
    );
    let results: Vec<_> = cases
        .iter()
        .map(|case| fixture::run_case(&pack, case))
        .collect();
    super::fixtures::assert_all_pass("examples/packs/first-pack", &results);

    // The guide teaches `absent`, `contains` and `next_evaluation_at` on these cases.
    let expects =
        |test: fn(&fixture::Expectation) -> bool| cases.iter().any(|case| test(&case.case.expect));
    assert!(expects(|e| e.absent.is_some()), "no case uses `absent`");
    assert!(expects(|e| e.contains.is_some()), "no case uses `contains`");
    assert!(
        expects(|e| matches!(e.next_evaluation_at, Some(serde_json::Value::String(_)))),
        "no case asserts a next_evaluation_at"
    );
}

#[test]
fn the_guide_quotes_the_first_pack_verbatim() {
    let guide = guide();
    for file in ["pack.toml", "overdue.rhai", "fixtures/base/account.json"] {
        let text = read(&pack_dir().join(file));
        assert!(
            guide.contains(text.trim()),
            "docs/authoring.md must contain examples/packs/first-pack/{file} verbatim; copy it again"
        );
    }

    // The fixture case it shows, as the fixture file has it (indented by four spaces there).
    let fixtures = read(&pack_dir().join("fixtures/overdue.json"));
    let lines: Vec<&str> = fixtures.lines().collect();
    let name = lines
        .iter()
        .position(|line| line.contains(r#""name": "vip-account-suppressed""#))
        .expect("the case `vip-account-suppressed` is in fixtures/overdue.json");
    let end = (name..lines.len())
        .find(|&index| lines[index].trim_end().trim_end_matches(',') == "    }")
        .expect("the case ends");
    let case: Vec<&str> = lines[name - 1..=end]
        .iter()
        .map(|line| line.strip_prefix("    ").unwrap_or(line))
        .collect();
    let case = case.join("\n");
    let case = case.trim_end_matches(',');
    assert!(
        guide.contains(case),
        "docs/authoring.md must quote the case `vip-account-suppressed` verbatim:\n{case}"
    );
}

#[test]
fn the_guide_shows_the_decision_eval_prints_for_try_json() {
    let pack = super::engine()
        .load_pack(pack_dir())
        .unwrap_or_else(|error| panic!("{error}"));
    let input = pack
        .parse_context(&read(&pack_dir().join("try.json")))
        .unwrap_or_else(|error| panic!("try.json: {error}"));
    let decision = pack.evaluate_with_id(&input.context, input.id.as_deref());
    // As `crm-rules eval` prints it.
    let printed = serde_json::to_string_pretty(&decision.to_json()).expect("decision as JSON");
    let guide = guide();
    assert!(
        guide.contains(&printed),
        "docs/authoring.md must show the decision `crm-rules eval examples/packs/first-pack --input \
         examples/packs/first-pack/try.json` prints; copy it again:\n{printed}"
    );
    // `crm-rules check` prints the same hash.
    let hash = decision.to_json()["pack"]["hash"]
        .as_str()
        .expect("a pack hash")
        .to_owned();
    assert_eq!(
        guide.matches(hash.as_str()).count(),
        2,
        "docs/authoring.md quotes the pack hash {hash} in its `check` output and its decision"
    );
}

/// The text of every inline code span of `markdown` outside fenced blocks (a span opens with a run
/// of backticks and closes with the next run of the same length, across line breaks).
fn inline_code(markdown: &str) -> Vec<String> {
    let mut prose = String::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    let chars: Vec<char> = prose.chars().collect();
    let run_at = |at: usize| chars[at..].iter().take_while(|&&c| c == '`').count();
    let mut spans = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        if chars[at] != '`' {
            at += 1;
            continue;
        }
        let open = run_at(at);
        let start = at + open;
        let mut close = start;
        let mut found = None;
        while close < chars.len() {
            if chars[close] == '`' {
                let run = run_at(close);
                if run == open {
                    found = Some(close);
                    break;
                }
                close += run;
            } else {
                close += 1;
            }
        }
        match found {
            Some(close) => {
                spans.push(chars[start..close].iter().collect());
                at = close + open;
            }
            None => at = start,
        }
    }
    spans
}

/// The names called in `code`: each identifier directly followed by `(`.
fn called_names(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut names = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        if is_ident(chars[at]) && (at == 0 || !is_ident(chars[at - 1])) {
            let end = (at..chars.len())
                .find(|&i| !is_ident(chars[i]))
                .unwrap_or(chars.len());
            let starts_alphabetic = chars[at].is_ascii_alphabetic() || chars[at] == '_';
            if starts_alphabetic && chars.get(end) == Some(&'(') {
                names.push(chars[at..end].iter().collect());
            }
            at = end;
        } else {
            at += 1;
        }
    }
    names
}

#[test]
fn every_helper_the_guide_calls_exists() {
    let listed: BTreeSet<String> =
        read(&crm_rules_tests::root().join("host/src/script/rhai_functions.txt"))
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| line.rsplit_once('/').map(|(name, _)| name.to_owned()))
            .collect();
    assert!(
        listed.contains("local_time_on"),
        "rhai_functions.txt not read"
    );

    let mut called = BTreeSet::new();
    for span in inline_code(&guide()) {
        // A function the guide defines (`fn unpaid(invoice)`) is the reader's, not a helper.
        if span.trim_start().starts_with("fn ") {
            continue;
        }
        called.extend(called_names(&span));
    }
    let missing: Vec<&String> = called.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "docs/authoring.md calls Rhai functions a rule cannot call (not in \
         host/src/script/rhai_functions.txt): {missing:?}"
    );
    assert!(
        called.len() >= 15,
        "the guide shows too few helpers for this check to mean anything: {called:?}"
    );
}

#[test]
fn the_guide_finds_calls_in_code_spans() {
    let spans = inline_code(
        "a `d.add_months(1)` and ``x `y` z``\n```rhai\nfenced(`x(1)`)\n```\n`join(a,\nb)`",
    );
    assert_eq!(spans, ["d.add_months(1)", "x `y` z", "join(a,\nb)"]);
    assert_eq!(
        called_names("ctx.calendar.is_business_day(d) + date(\"x\") - (1) 2x("),
        ["is_business_day", "date"]
    );
}
