//! Throughput of one simulated quarter at 10k, 100k and 1M app builders.
//!
//! Each sample builds a fresh world (not timed) and times the first quarter:
//! every agent decides, every market clears and every builder chooses, pays and
//! is recorded. Throughput is reported in builders per second.
//!
//! Run with `cargo bench -p moatsim-engine --bench quarter`.

use std::sync::Arc;

#[path = "common.rs"]
mod common;

use common::scenario;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use moatsim_engine::Simulation;

fn one_quarter(c: &mut Criterion) {
    let mut group = c.benchmark_group("one_quarter");
    for builders in [10_000u64, 100_000, 1_000_000] {
        let scenario = scenario(builders);
        group.throughput(Throughput::Elements(builders));
        group.sample_size(if builders >= 1_000_000 { 10 } else { 20 });
        group.bench_function(format!("{builders}_builders"), |b| {
            b.iter_batched(
                || Simulation::new(Arc::clone(&scenario)).expect("builds"),
                |mut simulation| simulation.step(),
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, one_quarter);
criterion_main!(benches);
