//! The server under load: a full queue, many clients, reloads while they run, a hostile pack beside
//! a good one, and a shutdown that drains what is in flight.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crm_rules_host::{Limits, RuleEngine};

use crate::harness::{PacksDir, metric, post, raised_ceilings, start, try_context, wait_until};

const JSON: &str = "application/json";

#[test]
fn a_full_queue_is_refused_at_once_with_retry_after() {
    let dir = PacksDir::new();
    dir.slow_pack("slow", 600);
    let server = Arc::new(start(&dir, raised_ceilings(), |config| {
        config.workers = 1;
        config.queue = 1;
    }));
    let slow = |server: &Arc<crate::harness::Server>| {
        let server = Arc::clone(server);
        std::thread::spawn(move || {
            post(
                &server,
                "/v1/packs/slow/evaluate",
                JSON,
                &try_context(),
                &[],
            )
        })
    };
    let running = slow(&server);
    wait_until("one evaluation running", || {
        metric(&server, "crm_rules_in_flight") == 1
    });
    let queued = slow(&server);
    wait_until("one evaluation queued", || {
        metric(&server, "crm_rules_queue_depth") == 1
    });
    let refused = post(
        &server,
        "/v1/packs/slow/evaluate",
        JSON,
        &try_context(),
        &[],
    );
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.retry_after.as_deref(), Some("1"));
    assert_eq!(refused.json()["type"], "/problems/busy");
    for handle in [running, queued] {
        let reply = handle.join().expect("a client");
        assert_eq!(reply.status, 200, "{}", reply.body);
        let decision = reply.json();
        assert_eq!(decision["status"], "held-for-review");
        assert_eq!(decision["errors"][0]["kind"], "deadline", "{decision}");
    }
}

#[test]
fn many_clients_at_once_all_get_their_decision() {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first");
    let server = Arc::new(start(&dir, Limits::default(), |_| {}));
    let clients: Vec<_> = (0..8)
        .map(|client| {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                for request in 0..20 {
                    let id = format!("c{client}-r{request}");
                    let context = try_context().replace("\"try-1\"", &format!("\"{id}\""));
                    let reply = post(
                        &server,
                        "/v1/packs/first-pack/evaluate",
                        JSON,
                        &context,
                        &[],
                    );
                    assert_eq!(reply.status, 200, "{}", reply.body);
                    assert_eq!(reply.json()["context_id"], id.as_str());
                }
            })
        })
        .collect();
    for client in clients {
        client.join().expect("every request answered");
    }
}

/// The pack's manifest at `version`.
fn manifest(version: &str) -> String {
    std::fs::read_to_string(crm_rules_tests::root().join("examples/packs/first-pack/pack.toml"))
        .expect("the manifest")
        .replace("version = \"0.1.0\"", &format!("version = \"{version}\""))
}

#[test]
fn reloads_under_load_lose_no_request_and_each_decision_names_the_old_or_new_version() {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first");
    // The two versions' hashes, from the library.
    let engine = RuleEngine::new(Limits::default()).expect("engine");
    let mut hashes = BTreeSet::new();
    for version in ["0.2.0", "0.1.0"] {
        dir.write("first/pack.toml", &manifest(version));
        hashes.insert(
            engine
                .load_pack(dir.0.join("first"))
                .expect("pack")
                .identity()
                .hash
                .clone(),
        );
    }
    let admin = "admin-token-0123456789";
    let server = Arc::new(start(&dir, Limits::default(), |config| {
        config.admin_token = Some(crm_rules_serve::auth::Token::new(admin));
    }));
    let running = Arc::new(AtomicBool::new(true));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (server, running) = (Arc::clone(&server), Arc::clone(&running));
            std::thread::spawn(move || {
                let mut seen = BTreeSet::new();
                while running.load(Ordering::Relaxed) {
                    let reply = post(
                        &server,
                        "/v1/packs/first-pack/evaluate",
                        JSON,
                        &try_context(),
                        &[],
                    );
                    assert_eq!(reply.status, 200, "{}", reply.body);
                    seen.insert(
                        reply.json()["pack"]["hash"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    );
                }
                seen
            })
        })
        .collect();
    let bearer = format!("Bearer {admin}");
    for round in 0..6 {
        let version = if round % 2 == 0 { "0.2.0" } else { "0.1.0" };
        dir.write("first/pack.toml", &manifest(version));
        let reply = post(
            &server,
            "/v1/admin/reload",
            JSON,
            "",
            &[("authorization", &bearer)],
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        std::thread::sleep(Duration::from_millis(100));
    }
    running.store(false, Ordering::Relaxed);
    let mut seen = BTreeSet::new();
    for client in clients {
        seen.extend(client.join().expect("no client failed"));
    }
    assert!(seen.is_subset(&hashes), "{seen:?} not within {hashes:?}");
    assert_eq!(seen.len(), 2, "both versions served: {seen:?}");
}

#[test]
fn a_pack_that_fails_to_reload_keeps_its_previous_version_serving() {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first");
    let admin = "admin-token-0123456789";
    let server = start(&dir, Limits::default(), |config| {
        config.admin_token = Some(crm_rules_serve::auth::Token::new(admin));
    });
    let before = post(
        &server,
        "/v1/packs/first-pack/evaluate",
        JSON,
        &try_context(),
        &[],
    )
    .json();
    dir.write("first/overdue.rhai", "fn overdue_tasks(ctx) { let x = ; }");
    let bearer = format!("Bearer {admin}");
    let reply = post(
        &server,
        "/v1/admin/reload",
        JSON,
        "",
        &[("authorization", &bearer)],
    );
    assert_eq!(reply.status, 207, "{}", reply.body);
    assert_eq!(reply.json()["failed"][0]["folder"], "first");
    let after = post(
        &server,
        "/v1/packs/first-pack/evaluate",
        JSON,
        &try_context(),
        &[],
    )
    .json();
    assert_eq!(after, before, "the previous version still decides");
    let detail = crate::harness::get(&server, "/v1/packs/first-pack").1;
    assert!(detail.contains("last_load_error"), "{detail}");
}

#[test]
fn a_hostile_pack_beside_a_good_one_gets_typed_errors_and_the_good_one_is_unaffected() {
    let dir = PacksDir::new();
    dir.copy("examples/packs/first-pack", "first");
    dir.copy("tests/hostile/rhai-loop", "loop");
    dir.copy("tests/hostile/rhai-map-bomb", "bomb");
    let server = Arc::new(start(&dir, raised_ceilings(), |_| {}));
    let expected = post(
        &server,
        "/v1/packs/first-pack/evaluate",
        JSON,
        &try_context(),
        &[],
    )
    .json();
    let hostile: Vec<_> = ["hostile-rhai-loop", "hostile-rhai-map-bomb"]
        .into_iter()
        .map(|name| {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                let reply = post(
                    &server,
                    &format!("/v1/packs/{name}/evaluate"),
                    JSON,
                    &try_context(),
                    &[],
                );
                assert_eq!(reply.status, 200, "{name}: {}", reply.body);
                let decision = reply.json();
                assert_eq!(decision["status"], "held-for-review", "{decision}");
                decision["errors"][0]["kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
        })
        .collect();
    for _ in 0..10 {
        let reply = post(
            &server,
            "/v1/packs/first-pack/evaluate",
            JSON,
            &try_context(),
            &[],
        );
        assert_eq!(reply.json(), expected);
    }
    let kinds: Vec<String> = hostile
        .into_iter()
        .map(|h| h.join().expect("answered"))
        .collect();
    assert_eq!(kinds, ["out-of-fuel", "memory"], "typed errors");
}

#[test]
fn shutdown_drains_the_requests_in_flight() {
    let dir = PacksDir::new();
    dir.slow_pack("slow", 500);
    let server = start(&dir, raised_ceilings(), |_| {});
    let addr = server.addr;
    let in_flight = std::thread::spawn(move || {
        post(&addr, "/v1/packs/slow/evaluate", JSON, &try_context(), &[])
    });
    wait_until("the evaluation running", || {
        metric(&addr, "crm_rules_in_flight") == 1
    });
    let stopping = Instant::now();
    server.stop().expect("the server stops cleanly");
    let reply = in_flight.join().expect("a client");
    assert_eq!(
        reply.status, 200,
        "the request in flight was answered: {}",
        reply.body
    );
    assert_eq!(reply.json()["errors"][0]["kind"], "deadline");
    assert!(stopping.elapsed() < Duration::from_secs(30));
    let after = std::net::TcpStream::connect(addr);
    assert!(after.is_err(), "no new connection once stopped");
}
