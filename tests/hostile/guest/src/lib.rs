//! A deliberately hostile (or buggy) rule module, for the sandbox tests in `tests/all/hostile.rs`.
//!
//! Every entry point does the same thing, chosen per evaluation by the text parameter `attack`
//! (`ctx.params`, usually set in the pack's `[params]` and overridden by the context):
//!
//! | `attack`       | what it does                                       | what the host must report |
//! |----------------|----------------------------------------------------|---------------------------|
//! | `loop`         | loops forever                                      | out of fuel               |
//! | `slow`         | a loop that finishes after ~10^10 instructions     | deadline (huge fuel)      |
//! | `memory`       | allocates 1 MiB chunks forever                     | memory (64 MiB cap)       |
//! | `recursion`    | recurses without bound                             | stack overflow            |
//! | `huge-output`  | returns 100,000 `no-action` actions                | output too large (*)      |
//! | `huge-strings` | returns one action whose reason is 10 MiB          | output too large (*)      |
//! | `panic`        | panics (a trap)                                    | trap                      |
//! | `fail`         | returns `Err`                                      | rule failed               |
//! | `remember`     | counts its calls in a global, returns `call:N`     | `call:1` every evaluation |
//! | `none`/missing | returns an empty output                            | nothing: success          |
//!
//! (*) With the fuel raised, as their packs do; under the default 10M fuel both run out of fuel
//! before they return.
//!
//! Built for `wasm32-unknown-unknown` by `tests/build.rs` into `tests/hostile/guest/hostile.wasm`
//! (never committed). It also compiles natively (clippy), where nothing runs it.

use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};

use crm_rules_guest::prelude::*;

// Every module name a hostile pack may use runs the attack named by the `attack` parameter.
crm_rules_guest::export_modules! {
    "billing" => attack,
    "reminders" => attack,
    "escalation" => attack,
}

/// Runs the attack the context's `attack` parameter names (none when it is missing).
fn attack(ctx: &Context) -> Result<RuleOutput, String> {
    match ctx.param_text("attack").unwrap_or("none") {
        "none" => Ok(RuleOutput::empty()),
        "loop" => spin_forever(),
        "slow" => Ok(slow()),
        "memory" => exhaust_memory(),
        "recursion" => {
            black_box(recurse(black_box(0)));
            Ok(RuleOutput::empty())
        }
        "huge-output" => Ok(huge_output()),
        "huge-strings" => Ok(huge_strings()),
        "panic" => explode(),
        "remember" => Ok(remember()),
        "fail" => Err("the hostile rule refuses to decide (attack = \"fail\")".to_owned()),
        other => Err(format!("unknown attack `{other}`")),
    }
}

/// An infinite loop: only fuel (or the deadline) stops it.
fn spin_forever() -> ! {
    let mut counter: u64 = 0;
    loop {
        counter = black_box(counter).wrapping_add(1);
    }
}

/// A loop of 2^34 iterations: it would finish after tens of seconds, far past any deadline, while a
/// pack with huge fuel never runs out of fuel first.
fn slow() -> RuleOutput {
    let mut sum: u64 = 0;
    let mut index: u64 = 0;
    while index < black_box(1 << 34) {
        sum = black_box(sum.wrapping_add(index));
        index += 1;
    }
    black_box(sum);
    RuleOutput::empty()
}

/// Allocates 1 MiB chunks until the memory cap stops it, touching every 4 KiB page of each so the
/// memory is really resident (one write per page keeps the fuel cost low: memory, not fuel, must be
/// the limit that stops it).
fn exhaust_memory() -> Result<RuleOutput, String> {
    const CHUNK: usize = 1 << 20;
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut chunk: Vec<u8> = Vec::with_capacity(CHUNK);
        for page in chunk.spare_capacity_mut().iter_mut().step_by(4096) {
            page.write(0xA5);
        }
        chunks.push(black_box(chunk));
        if black_box(chunks.len()) == usize::MAX {
            return Err("unreachable: memory is finite".to_owned());
        }
    }
}

/// Unbounded recursion. `black_box` keeps the optimiser from proving the recursion endless (or
/// turning it into a loop), and the work after the call keeps it from being a tail call.
fn recurse(depth: u64) -> u64 {
    if black_box(depth) == u64::MAX {
        return depth;
    }
    let below = recurse(black_box(depth + 1));
    black_box(below.wrapping_add(depth))
}

/// One `no-action` whose key counts this instance's calls: state that would leak from one
/// evaluation into the next if the host reused instances.
fn remember() -> RuleOutput {
    static CALLS: AtomicU32 = AtomicU32::new(0);
    let calls = CALLS.fetch_add(1, Ordering::Relaxed) + 1;
    let mut output = RuleOutput::empty();
    output.act(
        "hostile.remember",
        format!("call:{calls}"),
        String::new(),
        ActionDetail::NoAction,
    );
    output
}

/// 100,000 `no-action` actions: four times the default output limit.
fn huge_output() -> RuleOutput {
    let mut output = RuleOutput::empty();
    for index in 0..100_000_u32 {
        output.act(
            "hostile.huge-output",
            format!("k{index}"),
            String::new(),
            ActionDetail::NoAction,
        );
    }
    output
}

/// One action whose reason is 10 MiB: it fits in the 64 MiB memory cap, so the host's output-size
/// check (8 MiB of text by default) is what refuses it.
fn huge_strings() -> RuleOutput {
    let mut output = RuleOutput::empty();
    output.act(
        "hostile.huge-strings",
        "huge:1".to_owned(),
        "x".repeat(10 << 20),
        ActionDetail::NoAction,
    );
    output
}

/// A Rust panic: in WebAssembly, a trap.
#[expect(
    clippy::panic,
    reason = "the point of this attack is a panic, which the host must report as a trap"
)]
fn explode() -> Result<RuleOutput, String> {
    panic!("the hostile rule panics on purpose (attack = \"panic\")")
}
