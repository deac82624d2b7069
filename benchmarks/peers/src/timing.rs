//! Timing: the engines take turns in blocks (each runs every context once, then the next engine),
//! so machine noise hits them alike while each sample is still a warm evaluation.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::contexts::Sample;
use crate::engines::Contender;

/// One engine's samples, one per evaluation.
pub struct Timings {
    /// The engine's name.
    pub name: &'static str,
    /// Every evaluation's wall time, in the order measured.
    pub samples: Vec<Duration>,
}

impl Timings {
    /// The median and the 99th percentile.
    pub fn median_p99(&self) -> (Duration, Duration) {
        let mut sorted = self.samples.clone();
        sorted.sort_unstable();
        let at = |fraction: f64| {
            let index = ((sorted.len().saturating_sub(1)) as f64 * fraction) as usize;
            sorted.get(index).copied().unwrap_or_default()
        };
        (at(0.5), at(0.99))
    }
}

/// Runs `blocks` rounds; in each, every contender evaluates every sample once, each evaluation
/// timed on its own. One untimed round first warms every engine up.
pub fn measure(
    contenders: &[Box<dyn Contender>],
    samples: &[Sample],
    blocks: usize,
) -> Vec<Timings> {
    for contender in contenders {
        for sample in samples {
            contender.evaluate(black_box(sample));
        }
    }
    let mut timings: Vec<Timings> = contenders
        .iter()
        .map(|contender| Timings {
            name: contender.name(),
            samples: Vec::with_capacity(blocks * samples.len()),
        })
        .collect();
    for _ in 0..blocks {
        for (contender, timing) in contenders.iter().zip(&mut timings) {
            for sample in samples {
                let start = Instant::now();
                contender.evaluate(black_box(sample));
                timing.samples.push(start.elapsed());
            }
        }
    }
    timings
}
