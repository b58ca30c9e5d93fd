//! Runs a scenario: owns the thread pool, the run folder and its atomic publication.
//!
//! A run is written into a staging folder next to its final place, with files
//! named `<table>.parquet.partial`, and becomes visible only when every file is
//! complete: the files are renamed, the manifest is written, and the folder is
//! renamed to `<out>/scenario=<name>/seed=<seed>` in one step. A failed or
//! interrupted run leaves no file a `**/<table>.parquet` glob can see.

pub mod calibrate;
mod checkpoint;
pub mod fit;
pub mod sweep;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use moatsim_config::LoadedScenario;
use moatsim_engine::{EngineError, Simulation};
use moatsim_output::digest::DIGEST_ALGORITHM;
use moatsim_output::manifest::{MANIFEST, Manifest, ManifestTable};
use moatsim_output::{
    BackgroundWriter, OutputError, Provenance, RunWriter, SCHEMA_VERSION, merge_segments,
    remove_segments, segment_suffix,
};

/// A file or folder of a run or a sweep that could not be made, moved or
/// removed. [`RunError`] and [`sweep::SweepError`] both wrap it, so the two
/// say the same thing about the same failure.
#[derive(Debug, thiserror::Error)]
#[error("cannot prepare {}: {source}", path.display())]
pub struct IoError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Wraps a failed file operation on `path` as an [`IoError`].
pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IoError + '_ {
    move |source| IoError {
        path: path.to_path_buf(),
        source,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{} already exists; pass --force to replace it, or choose another --out or --seed", path.display())]
    Exists { path: PathBuf },
    #[error(transparent)]
    Io(#[from] IoError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("cannot start {threads} worker threads: {message}")]
    Threads { threads: usize, message: String },
    #[error("cannot resume: {0}")]
    Resume(String),
    #[error(
        "cannot resume: {} is damaged ({damage}), so the checkpoint in {} cannot be trusted; nothing was changed. moatsim keeps one checkpoint per run: rerun it from the start with `moatsim run` and --force (the damaged checkpoint is removed once the new run is published), or delete that folder",
        path.display(), staging.display()
    )]
    DamagedCheckpoint {
        path: PathBuf,
        damage: moatsim_output::digest::Damage,
        staging: PathBuf,
    },
    #[error(
        "{source}\nthe last checkpoint is kept in {}: `moatsim resume {}` retries from it; delete that folder to discard it",
        staging.display(), run_dir.display()
    )]
    CheckpointKept {
        source: Box<RunError>,
        staging: PathBuf,
        run_dir: PathBuf,
    },
    #[error(
        "an earlier run of this scenario and seed left a checkpoint in {}; continue it with `moatsim resume {}`, or pass --force to start over (the checkpoint is removed once the new run is published)",
        staging.display(), run_dir.display()
    )]
    CheckpointExists { staging: PathBuf, run_dir: PathBuf },
    #[error(transparent)]
    Config(#[from] moatsim_config::ConfigError),
    /// A run file that could not be put into JSON (a manifest, a checkpoint's
    /// meta): writing an empty or partial file instead would publish a run,
    /// or keep a checkpoint, that cannot be read back.
    #[error("cannot write {}: {what}: {source}", path.display())]
    Json {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub out_dir: PathBuf,
    /// Worker threads for the app-builder step; `None` uses every core.
    pub threads: Option<usize>,
    /// Replace an existing run folder.
    pub force: bool,
    /// Save the world every so many quarters so the run can be resumed.
    pub checkpoint: Option<CheckpointPlan>,
}

/// Checkpointing of one run: how often, and how to reload its configuration
/// when it is resumed.
#[derive(Debug, Clone)]
pub struct CheckpointPlan {
    pub every: u32,
    pub config_path: PathBuf,
    pub overrides: Vec<String>,
}

/// Reported after every quarter.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub quarters_done: u32,
    pub quarters: u32,
    pub rows_written: u64,
    /// The run continues from a checkpoint (`quarters_done` of the first
    /// report is where it resumed).
    pub resumed: bool,
}

/// What a finished run did.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub run_dir: PathBuf,
    pub quarters: u32,
    /// Distinct agents that existed during the run (named agents plus every app builder).
    pub agents: u64,
    /// Agent-quarters simulated: the named agents' rows plus every app builder
    /// alive at the start of each quarter, whether or not its rows were
    /// written (`output.app_builders`).
    pub agent_quarters: u64,
    pub rows_written: u64,
    pub wall_time: Duration,
    /// Quarters already done when the run was resumed from a checkpoint.
    pub resumed_from: Option<u32>,
}

impl RunReport {
    pub fn agent_quarters_per_second(&self) -> f64 {
        self.agent_quarters as f64 / self.wall_time.as_secs_f64().max(1e-9)
    }
}

/// The folder a run of `scenario` with `seed` is published to.
pub fn run_dir(out_dir: &Path, scenario: &str, seed: u64) -> PathBuf {
    out_dir
        .join(format!("scenario={scenario}"))
        .join(format!("seed={seed}"))
}

/// Removes the staging folder unless the run was published or it holds a
/// checkpoint: a checkpointed run that fails (a full disk, an I/O error) keeps
/// its last checkpoint so that `moatsim resume` can retry it.
struct Staging {
    path: PathBuf,
    published: bool,
    keep: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published && !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Runs `loaded` to its horizon and publishes the Parquet tables.
pub fn run_scenario(
    loaded: &LoadedScenario,
    options: &RunOptions,
    progress: impl FnMut(Progress),
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let scenario = Arc::new(loaded.scenario.clone());
    let final_dir = run_dir(&options.out_dir, &scenario.name, scenario.seed);
    if final_dir.exists() && !options.force {
        return Err(RunError::Exists { path: final_dir });
    }
    checkpoint::remove_abandoned_stagings(&final_dir);
    let stale = checkpoint::stagings_with_checkpoint(&final_dir);
    if let Some(staging) = stale.first().filter(|_| !options.force) {
        return Err(RunError::CheckpointExists {
            staging: staging.clone(),
            run_dir: final_dir,
        });
    }
    let parent = final_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| options.out_dir.clone());
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    // The staging folder's name has no `=`, so hive-partitioned globs never see it.
    let staging_path = parent.join(format!(
        ".staging-seed-{}-{}",
        scenario.seed,
        std::process::id()
    ));
    if staging_path.exists() {
        std::fs::remove_dir_all(&staging_path).map_err(io(&staging_path))?;
    }
    std::fs::create_dir_all(&staging_path).map_err(io(&staging_path))?;
    let staging = Staging {
        path: staging_path.clone(),
        published: false,
        keep: false,
    };
    let pool = thread_pool(options.threads)?;
    let simulation = pool.install(|| Simulation::new(Arc::clone(&scenario)))?;
    drive(
        Drive {
            loaded,
            scenario,
            final_dir,
            staging,
            pool,
            force: options.force,
            checkpoint: options.checkpoint.clone(),
            segments: Vec::new(),
            started,
            resumed_from: None,
            discard: stale,
        },
        simulation,
        progress,
    )
}

/// Continues a run that was stopped (killed, pre-empted, out of time, or
/// failed with a checkpoint kept) from its last checkpoint. `run_dir` is the
/// folder the run publishes to, `<out>/scenario=<name>/seed=<seed>`. The
/// checkpoint must come from this version of moatsim and the same resolved
/// configuration. A run stopped while its files were being joined or
/// published is finished without simulating again.
pub fn resume_run(
    run_dir: &Path,
    threads: Option<usize>,
    mut progress: impl FnMut(Progress),
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    if run_dir.join("manifest.json").is_file() {
        // Stopped after publication but before the checkpoint was removed.
        checkpoint::remove(run_dir)?;
        return Err(RunError::Resume(format!(
            "{} is already complete; there is nothing to resume",
            run_dir.display()
        )));
    }
    let (staging_path, meta) = checkpoint::find(run_dir)?;
    if meta.moatsim_version != env!("CARGO_PKG_VERSION") || meta.schema_version != SCHEMA_VERSION {
        return Err(RunError::Resume(format!(
            "the checkpoint in {} was written by moatsim {} (schema {}); this is moatsim {} (schema {}). Rerun from the start with this version",
            staging_path.display(),
            meta.moatsim_version,
            meta.schema_version,
            env!("CARGO_PKG_VERSION"),
            SCHEMA_VERSION
        )));
    }
    let loaded = moatsim_config::load(&meta.config_path, &meta.overrides).map_err(|e| {
        RunError::Resume(format!(
            "cannot reload the run's configuration {}: {e}",
            meta.config_path.display()
        ))
    })?;
    if loaded.config_hash != meta.config_hash {
        return Err(RunError::Resume(format!(
            "{} (with the run's --set overrides) no longer gives the configuration the checkpoint was saved from (config hash {} now, {} then). Restore the file, or rerun from the start",
            meta.config_path.display(),
            short_hash(&loaded.config_hash),
            short_hash(&meta.config_hash)
        )));
    }
    // Nothing is trusted, and nothing changed, before every file the
    // checkpoint vouches for is as it was written: the joined files once the
    // join is recorded (the segments may be gone by then), otherwise the
    // state and every segment.
    let joined = checkpoint::read_joined(&staging_path)?;
    match &joined {
        // Under their `.partial` names, or already renamed by an
        // interrupted publication.
        Some(joined) => checkpoint::check_tables(&staging_path, &joined.tables, |name| {
            let partial = staging_path.join(format!("{name}.parquet.partial"));
            if partial.exists() {
                partial
            } else {
                staging_path.join(format!("{name}.parquet"))
            }
        })?,
        None => checkpoint::verify(&staging_path, &meta)?,
    }
    let scenario = Arc::new(loaded.scenario.clone());
    let mut staging = Staging {
        path: staging_path.clone(),
        published: false,
        keep: true,
    };
    if let Some(joined) = joined {
        // Every table was already joined: only the publication is left.
        progress(Progress {
            quarters_done: scenario.quarters,
            quarters: scenario.quarters,
            rows_written: joined.total_rows(),
            resumed: true,
        });
        return publish_run(
            Finish {
                loaded: &loaded,
                scenario: &scenario,
                final_dir: run_dir,
                staging: &mut staging,
                force: meta.force,
                started,
                resumed_from: Some(scenario.quarters),
            },
            &joined,
        );
    }
    let snapshot = checkpoint::read_state(&staging_path, &meta)?;
    let pool = thread_pool(threads)?;
    let simulation = pool.install(|| Simulation::restore(Arc::clone(&scenario), snapshot))?;
    // Segment files written after the checkpoint are incomplete, and so are
    // joined files of an interrupted join: start them over.
    checkpoint::remove_segments_from(&staging_path, meta.segments_done)?;
    drive(
        Drive {
            loaded: &loaded,
            scenario,
            final_dir: run_dir.to_path_buf(),
            staging,
            pool,
            force: meta.force,
            checkpoint: Some(CheckpointPlan {
                every: meta.every,
                config_path: meta.config_path.clone(),
                overrides: meta.overrides.clone(),
            }),
            segments: meta.segments.clone(),
            started,
            resumed_from: Some(meta.ticks_done),
            discard: Vec::new(),
        },
        simulation,
        progress,
    )
}

fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, RunError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        builder = builder.num_threads(threads);
    }
    builder.build().map_err(|e| RunError::Threads {
        threads: threads.unwrap_or(0),
        message: e.to_string(),
    })
}

/// Everything the quarter loop needs, for a fresh run or a resumed one.
struct Drive<'a> {
    loaded: &'a LoadedScenario,
    scenario: Arc<moatsim_config::Scenario>,
    final_dir: PathBuf,
    staging: Staging,
    pool: rayon::ThreadPool,
    force: bool,
    checkpoint: Option<CheckpointPlan>,
    /// Segments already closed (resumed runs), with their files' digests.
    segments: Vec<Vec<checkpoint::TableRecord>>,
    started: Instant,
    resumed_from: Option<u32>,
    /// Staging folders of earlier runs with checkpoints, removed once this
    /// run (started with `--force`) is published.
    discard: Vec<PathBuf>,
}

/// Steps to the horizon, writing Parquet (in segments closed at each
/// checkpoint when checkpointing), then publishes. A checkpointed run that
/// fails keeps its last checkpoint and says so.
fn drive(
    mut run: Drive<'_>,
    simulation: Simulation,
    progress: impl FnMut(Progress),
) -> Result<RunReport, RunError> {
    let result = simulate_and_publish(&mut run, simulation, progress);
    match result {
        Err(error) if run.staging.keep && !run.staging.published => Err(RunError::CheckpointKept {
            source: Box::new(error),
            staging: run.staging.path.clone(),
            run_dir: run.final_dir.clone(),
        }),
        other => {
            if other.is_ok() {
                for stale in &run.discard {
                    let _ = std::fs::remove_dir_all(stale);
                }
            }
            other
        }
    }
}

fn simulate_and_publish(
    run: &mut Drive<'_>,
    mut simulation: Simulation,
    mut progress: impl FnMut(Progress),
) -> Result<RunReport, RunError> {
    let scenario = Arc::clone(&run.scenario);
    let loaded = run.loaded;
    let staging_path = run.staging.path.clone();
    let provenance = Provenance {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        config_hash: loaded.config_hash.clone(),
        resolved_config_json: loaded.resolved_json.clone(),
    };
    // Only the engine's work runs inside the pool; the tables are written on
    // their own thread and progress is reported from this one.
    // Without checkpoints the tables are written straight to `.partial` files;
    // with them, in segments closed at each checkpoint and joined at the end.
    let checkpoint = run.checkpoint.clone();
    let open_writer = |segment: u32| -> Result<BackgroundWriter, RunError> {
        let suffix = match &checkpoint {
            None => ".partial".to_string(),
            Some(_) => segment_suffix(segment),
        };
        let writer = RunWriter::create_with_suffix(&staging_path, &suffix, &provenance)?;
        Ok(BackgroundWriter::spawn(writer))
    };
    let mut segments_done = u32::try_from(run.segments.len()).unwrap_or(u32::MAX);
    // Writing quarter t overlaps simulating quarter t + 1 (`BackgroundWriter`).
    let mut writer = Some(open_writer(segments_done)?);
    let mut rows = 0;
    // The rows a frame adds, counted by the tables' own definitions.
    let tables = moatsim_output::tables();
    progress(Progress {
        quarters_done: simulation.ticks_done(),
        quarters: scenario.quarters,
        rows_written: 0,
        resumed: run.resumed_from.is_some(),
    });
    while let Some(frame) = run.pool.install(|| simulation.step()) {
        let open = match writer.as_mut() {
            Some(open) => open,
            None => writer.insert(open_writer(segments_done)?),
        };
        rows += tables.iter().map(|t| (t.rows)(&frame) as u64).sum::<u64>();
        open.write_frame(frame)?;
        let done = simulation.ticks_done();
        if let Some(plan) = &checkpoint
            && done.is_multiple_of(plan.every.max(1))
            && !simulation.is_finished()
        {
            if let Some(closed) = writer.take() {
                run.segments.push(checkpoint::records(&closed.finish()?));
            }
            segments_done += 1;
            let meta = checkpoint_meta(run, plan, done, segments_done);
            checkpoint::save(&staging_path, &meta, &simulation.snapshot())?;
            run.staging.keep = true;
        }
        progress(Progress {
            quarters_done: done,
            quarters: scenario.quarters,
            rows_written: rows,
            resumed: run.resumed_from.is_some(),
        });
    }
    let last = writer.take().map(BackgroundWriter::finish).transpose()?;
    let agents = scenario.initial_agent_count() - scenario.app_builders.count
        + simulation.builder_count() as u64;
    let joined = match &checkpoint {
        // Without checkpoints the writer is taken only here, so `last` is
        // always there and the default (no tables) is never used.
        None => checkpoint::Joined {
            tables: checkpoint::records(&last.unwrap_or_default()),
            agents,
            segments: 0,
            self_digest: String::new(),
        },
        Some(_) => {
            // The last segment, if the run wrote any quarter after its last
            // checkpoint.
            if last.is_some() {
                segments_done += 1;
            }
            join_segments(&staging_path, segments_done, &provenance, agents)?
        }
    };
    publish_run(
        Finish {
            loaded,
            scenario: &scenario,
            final_dir: &run.final_dir,
            staging: &mut run.staging,
            force: run.force,
            started: run.started,
            resumed_from: run.resumed_from,
        },
        &joined,
    )
}

/// What the checkpoint after quarter `ticks_done` records beside the
/// engine's state: which moatsim and configuration wrote it, how to reload
/// the configuration, and the segments closed so far.
fn checkpoint_meta(
    run: &Drive<'_>,
    plan: &CheckpointPlan,
    ticks_done: u32,
    segments_done: u32,
) -> checkpoint::Meta {
    checkpoint::Meta {
        moatsim_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version: SCHEMA_VERSION,
        config_hash: run.loaded.config_hash.clone(),
        config_path: plan.config_path.clone(),
        overrides: plan.overrides.clone(),
        every: plan.every.max(1),
        ticks_done,
        segments_done,
        force: run.force,
        state_file: String::new(),
        state_digest: None,
        segments: run.segments.clone(),
        self_digest: String::new(),
    }
}

/// Joins a checkpointed run's `segments` segment files per table into
/// `.partial` files while every segment is still there, records that the
/// join is complete, and only then may the segments go: a kill at any point
/// leaves a state resume can finish.
fn join_segments(
    staging_path: &Path,
    segments: u32,
    provenance: &Provenance,
    agents: u64,
) -> Result<checkpoint::Joined, RunError> {
    let written = merge_segments(staging_path, segments, ".partial", provenance)?;
    let joined = checkpoint::Joined {
        tables: checkpoint::records(&written),
        agents,
        segments,
        self_digest: String::new(),
    };
    checkpoint::save_joined(staging_path, &joined)?;
    Ok(joined)
}

/// A run whose tables are complete under `.partial` names (or already renamed
/// by an interrupted earlier attempt), ready to publish.
struct Finish<'a> {
    loaded: &'a LoadedScenario,
    scenario: &'a moatsim_config::Scenario,
    final_dir: &'a Path,
    staging: &'a mut Staging,
    force: bool,
    started: Instant,
    resumed_from: Option<u32>,
}

/// Renames the complete files, writes the manifest, moves the folder into
/// place and removes the checkpoint. Each step can be repeated, so a resume
/// after a kill anywhere in here finishes the job.
fn publish_run(finish: Finish<'_>, joined: &checkpoint::Joined) -> Result<RunReport, RunError> {
    let Finish {
        loaded,
        scenario,
        final_dir,
        staging,
        force,
        started,
        resumed_from,
    } = finish;
    let staging_path = staging.path.clone();
    // Joined segments go first (again, if a kill interrupted their removal).
    remove_segments(&staging_path, joined.segments)?;
    let mut tables = Vec::new();
    for table in &joined.tables {
        let name = &table.name;
        let partial = staging_path.join(format!("{name}.parquet.partial"));
        let complete = staging_path.join(format!("{name}.parquet"));
        if partial.exists() || !complete.exists() {
            std::fs::rename(&partial, &complete).map_err(io(&complete))?;
        }
        tables.push(ManifestTable {
            name: name.clone(),
            file: format!("{name}.parquet"),
            rows: table.rows,
            digest: Some(table.digest.clone()),
        });
    }
    let manifest_path = staging_path.join(MANIFEST);
    let manifest = Manifest {
        moatsim_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version: SCHEMA_VERSION,
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        config_hash: loaded.config_hash.clone(),
        start: scenario.start.to_string(),
        end: scenario.end().to_string(),
        quarters: scenario.quarters,
        digest_algorithm: Some(DIGEST_ALGORITHM.to_string()),
        tables,
        config: serde_json::from_str(&loaded.resolved_json).map_err(|source| RunError::Json {
            path: manifest_path.clone(),
            what: "the resolved configuration is not JSON",
            source,
        })?,
    };
    let manifest_text = checkpoint::to_json(&manifest_path, "the manifest", &manifest)?;
    checkpoint::write_atomically(&manifest_path, (manifest_text + "\n").as_bytes())?;

    publish(&staging_path, final_dir, force)?;
    staging.published = true;
    // A checkpointed run's checkpoint is published with it for an instant; a
    // kill here leaves a complete run that `moatsim resume` tidies.
    checkpoint::remove(final_dir)?;

    let agent_tables = moatsim_output::named_agent_tables();
    let rows_of = |tables: &[&str]| -> u64 {
        joined
            .tables
            .iter()
            .filter(|t| tables.contains(&t.name.as_str()))
            .map(|t| t.rows)
            .sum()
    };
    // Builders simulated, whatever the output mode wrote of them: each
    // quarter's segment rows count every builder alive at its start (the rows
    // `app_builders` has when every builder is written). A report figure, so
    // an unreadable table falls back to the rows written.
    let builder_quarters = moatsim_output::reader::read_columns(
        &final_dir.join("app_builder_segments.parquet"),
        &["builders"],
        &[],
    )
    .map(|t| t.numbers("builders").iter().sum::<f64>() as u64)
    .unwrap_or_else(|_| rows_of(&["app_builders"]));
    Ok(RunReport {
        run_dir: final_dir.to_path_buf(),
        quarters: scenario.quarters,
        agents: joined.agents,
        agent_quarters: rows_of(&agent_tables) + builder_quarters,
        rows_written: joined.total_rows(),
        wall_time: started.elapsed(),
        resumed_from,
    })
}

/// Moves the staged run into place. With `force`, an existing run is first moved
/// aside and removed only once the new one is in place, so a failure never
/// leaves neither.
fn publish(staging: &Path, final_dir: &Path, force: bool) -> Result<(), RunError> {
    if final_dir.exists() {
        if !force {
            return Err(RunError::Exists {
                path: final_dir.to_path_buf(),
            });
        }
        let aside = final_dir.with_file_name(format!(".replaced-{}", std::process::id()));
        std::fs::rename(final_dir, &aside).map_err(io(final_dir))?;
        if let Err(error) = std::fs::rename(staging, final_dir) {
            let _ = std::fs::rename(&aside, final_dir);
            return Err(io(final_dir)(error).into());
        }
        std::fs::remove_dir_all(&aside).map_err(io(&aside))?;
        return Ok(());
    }
    std::fs::rename(staging, final_dir).map_err(io(final_dir))?;
    Ok(())
}
