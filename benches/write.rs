//! The quarter as a run pays for it: simulated and written, and the writer alone.
//!
//! - `quarter_written`: a fresh world (not timed), then its first quarter is
//!   simulated and every table written, builder rows included, into a fresh
//!   run folder (created outside the timing). Throughput in builders per
//!   second.
//! - `writer_only`: one quarter simulated once; each sample writes a copy of
//!   that frame (copied outside the timing) into a fresh run folder. This is
//!   the writer's share of the quarter.
//!
//! Run with `cargo bench -p moatsim-output --bench write`.

use std::sync::Arc;

#[path = "common.rs"]
mod common;

use common::scenario;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use moatsim_engine::Simulation;
use moatsim_output::{Provenance, RunWriter};

fn provenance() -> Provenance {
    Provenance {
        scenario: "bench".into(),
        seed: 42,
        config_hash: "bench".into(),
        resolved_config_json: "{}".into(),
    }
}

/// A run folder and its open writer, created outside the timing.
fn fresh_writer() -> (tempfile::TempDir, RunWriter) {
    let dir = tempfile::tempdir().expect("temp dir");
    let writer = RunWriter::create(dir.path(), &provenance()).expect("writer");
    (dir, writer)
}

fn sizes() -> [u64; 3] {
    [10_000, 100_000, 1_000_000]
}

fn quarter_written(c: &mut Criterion) {
    let mut group = c.benchmark_group("quarter_written");
    for builders in sizes() {
        let scenario = scenario(builders);
        group.throughput(Throughput::Elements(builders));
        group.sample_size(10);
        group.bench_function(format!("{builders}_builders"), |b| {
            b.iter_batched(
                || {
                    let simulation = Simulation::new(Arc::clone(&scenario)).expect("builds");
                    (simulation, fresh_writer())
                },
                |(mut simulation, (dir, mut writer))| {
                    let frame = simulation.step().expect("a quarter");
                    writer.write_frame(frame).expect("writes");
                    writer.finish().expect("finishes");
                    dir
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

fn writer_only(c: &mut Criterion) {
    let mut group = c.benchmark_group("writer_only");
    for builders in sizes() {
        let mut simulation = Simulation::new(scenario(builders)).expect("builds");
        let frame = simulation.step().expect("a quarter");
        group.throughput(Throughput::Elements(builders));
        group.sample_size(10);
        group.bench_function(format!("{builders}_builders"), |b| {
            b.iter_batched(
                || (frame.clone(), fresh_writer()),
                |(frame, (dir, mut writer))| {
                    writer.write_frame(frame).expect("writes");
                    writer.finish().expect("finishes");
                    dir
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, quarter_written, writer_only);
criterion_main!(benches);
