//! Every endpoint, and the requests a server must refuse, each with its problem.

use crm_rules_host::Limits;

use crate::harness::{PacksDir, get, get_with, post, start, try_context};

const JSON: &str = "application/json";

#[test]
fn evaluate_answers_the_decision_eval_prints() {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first");
    let server = start(&dir, Limits::default(), |_| {});
    let reply = post(
        &server,
        "/v1/packs/first-pack/evaluate",
        JSON,
        &try_context(),
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type, "application/json");
    let decision = reply.json();
    assert_eq!(decision["pack"]["name"], "first-pack");
    assert_eq!(decision["status"], "complete");
    assert_eq!(decision["context_id"], "try-1");
    assert_eq!(decision["actions"][0]["key"], "task:inv_1:overdue");
    // The same decision as the library's, field for field.
    let engine = crm_rules_host::RuleEngine::new(Limits::default()).expect("engine");
    let pack = engine.load_pack(dir.0.join("first")).expect("pack");
    let parsed = pack.parse_context(&try_context()).expect("context");
    let expected = pack
        .evaluate_with_id(&parsed.context, parsed.id.as_deref())
        .to_json();
    assert_eq!(decision, expected);
}

#[test]
fn bad_requests_get_problems_with_field_paths() {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first");
    let limits = Limits {
        max_input_bytes: 4_096,
        ..Limits::default()
    };
    let server = start(&dir, limits, |_| {});
    let path = "/v1/packs/first-pack/evaluate";
    let problem = |reply: &crate::harness::Reply, status: u16, kind: &str| {
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(reply.content_type, "application/problem+json");
        let body = reply.json();
        assert_eq!(body["type"], format!("/problems/{kind}"), "{body}");
        assert_eq!(body["status"], status);
        body
    };

    let malformed = post(&server, path, JSON, "{\"now\": ", &[]);
    problem(&malformed, 422, "invalid-input");
    let mistyped = try_context().replace("\"2026-02-15\"", "\"tomorrow\"");
    let body = problem(
        &post(&server, path, JSON, &mistyped, &[]),
        422,
        "invalid-input",
    );
    assert_eq!(body["path"], "invoices[0].due_date", "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("invoices[0].due_date: ")
    );

    problem(
        &post(&server, path, "text/plain", &try_context(), &[]),
        415,
        "unsupported-media-type",
    );
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(5_000));
    problem(&post(&server, path, JSON, &big, &[]), 413, "too-large");
    let unknown = post(
        &server,
        "/v1/packs/no-such-pack/evaluate",
        JSON,
        &try_context(),
        &[],
    );
    let body = problem(&unknown, 404, "unknown-pack");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("first-pack"),
        "{body}"
    );
    let pinned = post(
        &server,
        &format!("{path}?pack_hash=sha256:0000"),
        JSON,
        &try_context(),
        &[],
    );
    let body = problem(&pinned, 409, "pack-version");
    let hash = body["pack_hash"].as_str().unwrap_or_default().to_owned();
    assert!(hash.starts_with("sha256:"), "{body}");
    let right = post(
        &server,
        &format!("{path}?pack_hash={hash}"),
        JSON,
        &try_context(),
        &[],
    );
    assert_eq!(right.status, 200, "{}", right.body);
    problem(
        &post(&server, "/v2/anything", JSON, "{}", &[]),
        404,
        "not-found",
    );
}

#[test]
fn a_batch_answers_one_line_per_input_line_in_order() {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first");
    let server = start(&dir, Limits::default(), |_| {});
    let context = try_context().replace('\n', " ");
    let book = format!("{context}\nnot json\n\n{context}\n{{\"now\": 1}}\n{context}");
    let reply = post(
        &server,
        "/v1/packs/first-pack/evaluate-batch",
        "application/x-ndjson",
        &book,
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type, "application/x-ndjson");
    let lines: Vec<serde_json::Value> = reply
        .body
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 6, "{}", reply.body);
    for (index, line) in lines.iter().enumerate() {
        assert_eq!(line["line"], index + 1, "{line}");
        let good = [0, 3, 5].contains(&index);
        assert_eq!(line.get("decision").is_some(), good, "{line}");
        assert_eq!(line.get("error").is_some(), !good, "{line}");
    }
    assert!(
        lines[4]["error"]
            .as_str()
            .unwrap_or_default()
            .starts_with("now: "),
        "{}",
        lines[4]
    );
    let wrong_type = post(
        &server,
        "/v1/packs/first-pack/evaluate-batch",
        "application/json",
        &book,
        &[],
    );
    assert_eq!(wrong_type.status, 415);
}

#[test]
fn packs_health_metrics_and_the_openapi_document() {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first");
    dir.write("broken/pack.toml", "[pack]\nname = \"broken\"\n");
    let server = start(&dir, Limits::default(), |_| {});
    assert_eq!(get(&server, "/healthz").0, 200);
    assert_eq!(get(&server, "/readyz").0, 200);

    let (status, list) = get(&server, "/v1/packs");
    assert_eq!(status, 200);
    let list: serde_json::Value = serde_json::from_str(&list).expect("JSON");
    assert_eq!(list["packs"][0]["name"], "first-pack");
    assert_eq!(list["packs"][0]["contract"], "0.2");
    assert_eq!(list["not_loaded"][0]["folder"], "broken", "{list}");
    let (status, detail) = get(&server, "/v1/packs/first-pack");
    assert_eq!(status, 200);
    let detail: serde_json::Value = serde_json::from_str(&detail).expect("JSON");
    assert_eq!(detail["modules"][0]["id"], "overdue");
    assert_eq!(detail["vocabulary"]["suppressions"][0], "vip-account");
    assert_eq!(
        detail["limits"]["max_input_bytes"],
        Limits::default().max_input_bytes
    );

    let _ = post(
        &server,
        "/v1/packs/first-pack/evaluate",
        JSON,
        &try_context(),
        &[],
    );
    let _ = post(
        &server,
        "/v1/packs/made-up/evaluate",
        JSON,
        &try_context(),
        &[],
    );
    let (status, metrics) = get(&server, "/metrics");
    assert_eq!(status, 200);
    for line in [
        "crm_rules_evaluations_total{pack=\"first-pack\",status=\"complete\"} 1",
        "crm_rules_evaluations_total{pack=\"(unknown)\",status=\"refused\"} 1",
        "crm_rules_evaluation_seconds_count{pack=\"first-pack\"} 1",
        "crm_rules_fuel_total{pack=\"first-pack\",module=\"overdue\"}",
        "crm_rules_in_flight 0",
        "crm_rules_queue_depth 0",
        "crm_rules_reloads_total{outcome=\"failed\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} in:\n{metrics}");
    }

    let (status, openapi) = get(&server, "/v1/openapi.json");
    assert_eq!(status, 200);
    let openapi: serde_json::Value = serde_json::from_str(&openapi).expect("JSON");
    assert!(
        openapi["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.")
    );
    for path in [
        "/v1/packs/{name}/evaluate",
        "/v1/packs/{name}/evaluate-batch",
        "/v1/packs",
        "/v1/packs/{name}",
        "/v1/admin/reload",
        "/metrics",
    ] {
        assert!(
            openapi["paths"].get(path).is_some(),
            "{path} in the document"
        );
    }
    assert!(openapi["components"]["schemas"].get("Problem").is_some());
}

#[test]
fn tokens_guard_the_api_and_the_admin_api() {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first");
    let api = "api-token-0123456789";
    let admin = "admin-token-0123456789";
    let server = start(&dir, Limits::default(), |config| {
        config.api_token = Some(crm_rules_serve::auth::Token::new(api));
        config.admin_token = Some(crm_rules_serve::auth::Token::new(admin));
    });
    let path = "/v1/packs/first-pack/evaluate";
    assert_eq!(post(&server, path, JSON, &try_context(), &[]).status, 401);
    let wrong = format!("Bearer {admin}");
    assert_eq!(
        post(
            &server,
            path,
            JSON,
            &try_context(),
            &[("authorization", &wrong)]
        )
        .status,
        401
    );
    let right = format!("Bearer {api}");
    assert_eq!(
        post(
            &server,
            path,
            JSON,
            &try_context(),
            &[("authorization", &right)]
        )
        .status,
        200
    );
    assert_eq!(get(&server, "/v1/packs").0, 401);
    assert_eq!(get_with(&server, "/v1/packs", api).status, 200);
    assert_eq!(
        get(&server, "/v1/openapi.json").0,
        200,
        "the document is public"
    );
    assert_eq!(get(&server, "/healthz").0, 200);

    let reload = "/v1/admin/reload";
    assert_eq!(
        post(&server, reload, JSON, "", &[("authorization", &right)]).status,
        401
    );
    let by_admin = post(
        &server,
        reload,
        JSON,
        "",
        &[("authorization", &format!("Bearer {admin}"))],
    );
    assert_eq!(by_admin.status, 200, "{}", by_admin.body);
    assert_eq!(by_admin.json()["loaded"][0], "first-pack");
    drop(server);

    let without_admin = start(&dir, Limits::default(), |_| {});
    let off = post(&without_admin, reload, JSON, "", &[]);
    assert_eq!(off.status, 403, "{}", off.body);
}

/// The README's Python client (standard library only) against a real server.
#[test]
fn the_readme_python_client_runs() {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first");
    let server = start(&dir, Limits::default(), |_| {});
    let root = crm_rules_tests::root();
    let output = std::process::Command::new("python3")
        .arg(root.join("examples/serve/client.py"))
        .arg(server.url(""))
        .arg("first-pack")
        .arg(root.join("examples/packs/first-pack/try.json"))
        .output()
        .expect("python3 runs (the machines have CPython 3.11)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("decision: complete (pack first-pack sha256:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  create-task task:inv_1:overdue\n"),
        "{stdout}"
    );
    assert!(stdout.contains("batch line 2: complete"), "{stdout}");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    assert!(
        readme.contains("python3 examples/serve/client.py http://127.0.0.1:8181 first-pack"),
        "the README shows how to run the client"
    );
}

#[test]
fn the_decision_log_holds_each_request_and_a_line_replays_to_its_decision() {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first");
    let log = dir.0.join("decisions.ndjson");
    let server = start(&dir, Limits::default(), |config| {
        config.decision_log = Some(crm_rules_serve::decision_log::DecisionLogConfig {
            path: log.clone(),
            max_bytes: 1 << 20,
            keep: 2,
        });
    });
    for _ in 0..2 {
        let reply = post(
            &server,
            "/v1/packs/first-pack/evaluate",
            JSON,
            &try_context(),
            &[("x-request-id", "r-7")],
        );
        assert_eq!(reply.status, 200);
    }
    let invalid = try_context().replace("\"2026-02-15\"", "\"tomorrow\"");
    assert_eq!(
        post(
            &server,
            "/v1/packs/first-pack/evaluate",
            JSON,
            &invalid,
            &[]
        )
        .status,
        422
    );
    let text = std::fs::read_to_string(&log).expect("the log");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(
        lines.len(),
        2,
        "one line per decision, none for the invalid input"
    );
    let line = &lines[1];
    assert_eq!(line["request_id"], "r-7");
    assert_eq!(line["pack"]["name"], "first-pack");
    // Replayed: the logged input decides as logged.
    let engine = crm_rules_host::RuleEngine::new(Limits::default()).expect("engine");
    let pack = engine.load_pack(dir.0.join("first")).expect("pack");
    assert_eq!(line["pack"]["hash"], pack.identity().hash.as_str());
    let parsed = pack
        .parse_context(&line["input"].to_string())
        .expect("a context");
    let replayed = pack
        .evaluate_with_id(&parsed.context, parsed.id.as_deref())
        .to_json();
    assert_eq!(line["decision"], replayed);
}
