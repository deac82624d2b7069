//! `crm-rules batch --challenger PACK --share S --keep-input`: each account decided by the pack of
//! its arm, each decision saying its arm, each line carrying its input.

use crm_rules_host::split::{Arm, Share, arm_for};
use serde_json::Value;

use super::{crm_rules, root, text};

#[test]
fn batch_with_a_challenger_decides_each_account_by_its_arm_and_keeps_inputs() {
    let out = crm_rules(&[
        "batch",
        "rules/standard/rhai",
        "--input",
        "examples/book.ndjson",
        "--challenger",
        "rules/standard/rust",
        "--share",
        "42%",
        "--keep-input",
        "--threads",
        "2",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let book = std::fs::read_to_string(root().join("examples/book.ndjson")).expect("the book");
    let share: Share = "42%".parse().expect("a share");
    let results: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(results.len(), book.lines().count());
    let mut hashes = [None, None];
    let mut challengers = 0;
    for (result, sent) in results.iter().zip(book.lines()) {
        let sent: Value = serde_json::from_str(sent).expect("a context");
        assert_eq!(result["input"], sent, "the input is kept as sent");
        let id = sent["account"]["id"].as_str().expect("an account id");
        let arm = arm_for(id, share);
        let decision = &result["decision"];
        assert_eq!(decision["arm"], arm.as_str(), "{id}");
        challengers += usize::from(arm == Arm::Challenger);
        // Each arm is one pack: one hash per arm, and two arms, two hashes.
        let hash = decision["pack"]["hash"]
            .as_str()
            .expect("a hash")
            .to_owned();
        let seen = &mut hashes[usize::from(arm == Arm::Challenger)];
        assert_eq!(seen.get_or_insert_with(|| hash.clone()), &hash, "{id}");
    }
    assert!(
        challengers > 0 && challengers < results.len(),
        "{challengers}"
    );
    assert_ne!(
        hashes[0], hashes[1],
        "the arms are decided by different packs"
    );
    let summary = text(&out.stderr);
    assert!(
        summary.contains(&format!(
            "{challengers} decisions by the challenger standard"
        )),
        "{summary}"
    );
}

#[test]
fn a_share_without_a_challenger_or_out_of_range_is_a_usage_error() {
    let out = crm_rules(&[
        "batch",
        "rules/standard/rhai",
        "--input",
        "-",
        "--share",
        "10%",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--challenger"),
        "{}",
        text(&out.stderr)
    );
    let out = crm_rules(&[
        "batch",
        "rules/standard/rhai",
        "--input",
        "-",
        "--challenger",
        "rules/standard/rust",
        "--share",
        "110%",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("percentage from 0 to 100"),
        "{}",
        text(&out.stderr)
    );
}
