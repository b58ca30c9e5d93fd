//! A quarter holding a `NaN` or `inf` is refused by the writer, which names the
//! table, the column, the row's agent and the quarter.

mod common;

use moatsim_output::{BackgroundWriter, OutputError, RunWriter};

#[test]
fn a_non_finite_number_fails_the_write_and_names_where_it_is() {
    let (frames, provenance) = common::baseline_quarters(200, 1);
    let mut frame = frames.into_iter().next().expect("a quarter");
    frame.labs[1].cash = f64::NAN;
    let dir = tempfile::tempdir().expect("temp dir");
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
    let (frames, provenance) = common::baseline_quarters(200, 2);
    let mut frames = frames.into_iter();
    let mut bad = frames.next().expect("a quarter");
    let good = frames.next().expect("another quarter");
    bad.labs[0].cash = f64::NAN;
    let dir = tempfile::tempdir().expect("temp dir");
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
