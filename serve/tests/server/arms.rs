//! Champion/challenger on the sidecar, and the decision log of batch requests.

use crm_rules_host::Limits;
use crm_rules_host::split::{Arm, Share, arm_for};
use serde_json::Value;

use crate::harness::{PacksDir, post, start, try_context};

const JSON: &str = "application/json";
const NDJSON: &str = "application/x-ndjson";

/// `first-pack`, and `first-pack-next` beside it: the same rule with a task after 20 days, not 30.
fn champion_and_challenger() -> PacksDir {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first")
        .copy("examples/packs/first-pack", "next");
    let manifest = std::fs::read_to_string(dir.0.join("first/pack.toml")).expect("manifest");
    let next = manifest
        .replace("name = \"first-pack\"", "name = \"first-pack-next\"")
        .replace("task_after_days = 30", "task_after_days = 20");
    assert_ne!(manifest, next, "the challenger differs");
    dir.write("next/pack.toml", &next);
    dir
}

/// The example context for account `id`.
fn context_of(id: &str) -> String {
    let mut context: Value = serde_json::from_str(&try_context()).expect("JSON");
    context["account"]["id"] = id.into();
    context.to_string()
}

#[test]
fn a_split_decides_each_account_with_the_pack_of_its_arm_on_both_endpoints() {
    let dir = champion_and_challenger();
    let share: Share = "30%".parse().expect("a share");
    let server = start(&dir, Limits::default(), |config| {
        config.splits = vec!["first-pack=first-pack-next:30%".parse().expect("a split")];
    });
    let hash_of = |name: &str| {
        let reply = crate::harness::get(&server, &format!("/v1/packs/{name}"));
        let described: Value = serde_json::from_str(&reply.1).expect("JSON");
        described["hash"].as_str().expect("a hash").to_owned()
    };
    let (champion_hash, challenger_hash) = (hash_of("first-pack"), hash_of("first-pack-next"));
    let ids: Vec<String> = (0..40).map(|n| format!("acc_{n}")).collect();
    let mut arms_seen = [0; 2];
    for id in &ids {
        let reply = post(
            &server,
            "/v1/packs/first-pack/evaluate",
            JSON,
            &context_of(id),
            &[],
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        let decision = reply.json();
        let (arm, hash) = match arm_for(id, share) {
            Arm::Champion => ("champion", &champion_hash),
            Arm::Challenger => ("challenger", &challenger_hash),
        };
        arms_seen[usize::from(arm == "challenger")] += 1;
        assert_eq!(decision["arm"], arm, "{id}");
        assert_eq!(decision["pack"]["hash"], hash.as_str(), "{id}");
    }
    assert!(
        arms_seen[0] > 0 && arms_seen[1] > 0,
        "both arms seen: {arms_seen:?}"
    );
    // The book gets the same arms, line by line.
    let book: String = ids.iter().map(|id| context_of(id) + "\n").collect();
    let reply = post(
        &server,
        "/v1/packs/first-pack/evaluate-batch",
        NDJSON,
        &book,
        &[],
    );
    assert_eq!(reply.status, 200);
    for (line, id) in reply.body.lines().zip(&ids) {
        let line: Value = serde_json::from_str(line).expect("JSON");
        let arm = arm_for(id, share).as_str();
        assert_eq!(line["decision"]["arm"], arm, "{id}");
    }
    // The challenger is still served under its own name, with no arm.
    let reply = post(
        &server,
        "/v1/packs/first-pack-next/evaluate",
        JSON,
        &context_of("acc_1"),
        &[],
    );
    assert_eq!(reply.json().get("arm"), None);
    server.stop().expect("stops");
}

#[test]
fn a_split_naming_a_pack_that_is_not_served_stops_the_server_at_start() {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first");
    let engine = crm_rules_host::RuleEngine::new(Limits::default()).expect("engine");
    let mut config = crm_rules_serve::ServerConfig::new(dir.0.clone());
    config.splits = vec!["first-pack=first-pack-nxt:10%".parse().expect("a split")];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let error = runtime
        .block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            crm_rules_serve::serve(engine, config, listener, std::future::pending()).await
        })
        .expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("\"first-pack-nxt\", which is not served"),
        "{error}"
    );
}

#[test]
fn a_batch_request_logs_each_decision_with_its_line_and_arm() {
    let dir = champion_and_challenger();
    let log = dir.0.join("decisions.ndjson");
    let server = start(&dir, Limits::default(), |config| {
        config.splits = vec!["first-pack=first-pack-next:50%".parse().expect("a split")];
        config.decision_log = Some(crm_rules_serve::decision_log::DecisionLogConfig {
            path: log.clone(),
            max_bytes: 1 << 20,
            keep: 1,
        });
    });
    let book = format!(
        "{}\n{{\"bad\": 1}}\n{}\n",
        context_of("acc_1"),
        context_of("acc_3")
    );
    let reply = post(
        &server,
        "/v1/packs/first-pack/evaluate-batch",
        NDJSON,
        &book,
        &[("x-request-id", "book-9")],
    );
    assert_eq!(reply.status, 200);
    let answered: Vec<Value> = reply
        .body
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    server.stop().expect("stops");
    let logged: Vec<Value> = std::fs::read_to_string(&log)
        .expect("the log")
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(
        logged.len(),
        2,
        "one line per decision, none for the bad line"
    );
    for (entry, (line, id)) in logged.iter().zip([(1_usize, "acc_1"), (3, "acc_3")]) {
        assert_eq!(entry["request_id"], "book-9");
        assert_eq!(entry["line"], line);
        assert_eq!(entry["input"]["account"]["id"], id);
        assert_eq!(
            entry["arm"],
            arm_for(id, "50%".parse().expect("a share")).as_str()
        );
        assert_eq!(
            entry["decision"],
            answered[line - 1]["decision"],
            "logged as answered"
        );
        assert_eq!(entry["pack"]["hash"], entry["decision"]["pack"]["hash"]);
    }
}

#[test]
fn a_bundle_in_the_packs_directory_is_served_with_its_folders_hash() {
    let dir = PacksDir::new();
    let engine = crm_rules_host::RuleEngine::new(Limits::default()).expect("engine");
    let folder = engine
        .load_pack(crm_rules_tests::root().join("examples/packs/first-pack"))
        .expect("the folder");
    let bundled = crm_rules_host::bundle::write(&folder, &Default::default()).expect("bundled");
    std::fs::write(dir.0.join("first.crmpack"), &bundled.bytes).expect("written");
    let server = start(&dir, Limits::default(), |_| {});
    let reply = post(
        &server,
        "/v1/packs/first-pack/evaluate",
        JSON,
        &try_context(),
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json()["pack"]["hash"],
        folder.identity().hash.as_str()
    );
    server.stop().expect("stops");
}
