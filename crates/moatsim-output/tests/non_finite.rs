//! A quarter holding a `NaN` or `inf` is refused by the writer, which names the
//! table, the column, the row's agent and the quarter.

use std::path::Path;
use std::sync::Arc;

use moatsim_engine::Simulation;
use moatsim_output::{BackgroundWriter, OutputError, Provenance, RunWriter};

#[test]
fn a_non_finite_number_fails_the_write_and_names_where_it_is() {
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml");
    let loaded = moatsim_config::load(&baseline, &["app_builders.count=200".to_string()])
        .expect("baseline loads");
    let mut simulation = Simulation::new(Arc::new(loaded.scenario)).expect("builds");
    let mut frame = simulation.step().expect("a quarter");
    frame.labs[1].cash = f64::NAN;
    let dir = tempfile::tempdir().expect("temp dir");
    let provenance = Provenance {
        scenario: "baseline".into(),
        seed: 42,
        config_hash: loaded.config_hash,
        resolved_config_json: loaded.resolved_json,
    };
    let mut writer = RunWriter::create(dir.path(), &provenance).expect("writer");
    let error = writer
        .write_frame(frame.clone())
        .expect_err("NaN is refused");
    assert!(matches!(
        error,
        OutputError::NonFinite { table: "labs", .. }
    ));
    let message = error.to_string();
    for words in [
        "table `labs`",
        "column `cash`",
        "name=frontier-b",
        "2025Q1 (tick 0)",
        "NaN",
    ] {
        assert!(message.contains(words), "{words:?} missing from: {message}");
    }

    frame.labs[1].cash = 1.0;
    frame.world.app_profit = f64::INFINITY;
    let error = writer.write_frame(frame).expect_err("inf is refused");
    assert!(error.to_string().contains("column `app_profit`"), "{error}");
}

#[test]
fn a_background_writer_reports_a_frame_it_refused() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml");
    let loaded =
        moatsim_config::load(&path, &["app_builders.count=200".to_string()]).expect("loads");
    let mut simulation = Simulation::new(Arc::new(loaded.scenario)).expect("builds");
    let mut bad = simulation.step().expect("a quarter");
    let good = simulation.step().expect("another quarter");
    bad.labs[0].cash = f64::NAN;
    let dir = tempfile::tempdir().expect("temp dir");
    let provenance = Provenance {
        scenario: "baseline".into(),
        seed: 42,
        config_hash: loaded.config_hash,
        resolved_config_json: loaded.resolved_json,
    };
    let writer = RunWriter::create(dir.path(), &provenance).expect("writer");
    let mut background = BackgroundWriter::spawn(writer);
    // The hand-over of the bad frame succeeds; the writer thread refuses it,
    // and the next hand-over (or the finish) reports why.
    background.write_frame(bad).expect("handed over");
    let error = match background.write_frame(good) {
        Err(error) => error,
        Ok(()) => background.finish().expect_err("the refusal surfaces"),
    };
    assert!(
        matches!(error, OutputError::NonFinite { table: "labs", .. }),
        "{error}"
    );
}
