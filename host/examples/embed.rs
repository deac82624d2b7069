//! Embedding crm-rules in a host application: one engine per process, packs loaded once, a decision
//! per context. Run it from the repository root:
//!
//! ```text
//! cargo run -p crm-rules-host --example embed -- rules/standard/rhai examples/closed-won.json
//! ```

use crm_rules_host::{DecisionStatus, Limits, RuleEngine};

/// Counts each thread's heap bytes, so Rhai rules are held to their memory limit (see
/// `crm_rules_host::RhaiMemory`). The integration test that runs this example installs its own.
#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: crm_rules_host::alloc::CountingAllocator =
    crm_rules_host::alloc::CountingAllocator;

/// Loads `pack_dir`, evaluates the JSON context in `input_path` and returns the decision as JSON.
pub fn run(
    pack_dir: &str,
    input_path: &str,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    // One engine per process: it owns the compiled-code cache, the sandbox and the limits.
    let engine = RuleEngine::new(Limits::default())?;
    // Load once: scripts are compiled, components compiled and pre-instantiated.
    let pack = engine.load_pack(pack_dir)?;

    // Contexts arrive as JSON (or are built in Rust as `crm_rules_guest::types::Context`): read
    // them for the pack, which also checks their parameter overrides against the pack's own.
    let text = std::fs::read_to_string(input_path)?;
    let input = pack.parse_context(&text)?;

    // Evaluation never fails: a broken rule becomes an entry in `decision.errors`.
    let decision = pack.evaluate_with_id(&input.context, input.id.as_deref());
    if decision.status == DecisionStatus::HeldForReview {
        eprintln!("a rule failed: hold this decision for a person");
    }
    for decided in &decision.actions {
        let action = &decided.action;
        println!(
            "{} wants `{}` ({})",
            action.rule_id, action.key, action.reason
        );
    }
    Ok(decision.to_json())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let pack = args
        .next()
        .unwrap_or_else(|| "rules/standard/rhai".to_owned());
    let input = args
        .next()
        .unwrap_or_else(|| "examples/closed-won.json".to_owned());
    let decision = run(&pack, &input)?;
    println!("{}", serde_json::to_string_pretty(&decision)?);
    Ok(())
}
