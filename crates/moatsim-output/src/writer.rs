//! Writes one Parquet file per table, one record batch (row group) per quarter.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use moatsim_records::TickFrame;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::batches::batch_for;
use crate::digest::{FileDigest, HashingWriter};
use crate::finite::first_non_finite;
use crate::schema::{SCHEMA_VERSION, TableDef, tables};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot create {}: {source}", path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write table `{table}`: {source}")]
    Parquet {
        table: &'static str,
        #[source]
        source: parquet::errors::ParquetError,
    },
    #[error(
        "refusing to write a non-finite number: table `{table}`, column `{}`, {}, {}: {}. \
         Nothing was published; this is a bug in the model or a parameter outside the range it was built for",
        found.column, found.row, found.when, found.value
    )]
    NonFinite {
        table: &'static str,
        found: crate::finite::NonFinite,
    },
    #[error("cannot send the run's files to the disk: {source}")]
    Writeback {
        #[source]
        source: std::io::Error,
    },
    #[error("the writer thread stopped after an earlier error")]
    WriterGone,
    #[error("cannot start the writer thread: {source}")]
    WriterThread {
        #[source]
        source: std::io::Error,
    },
    #[error("cannot join the segments of table `{table}`: {} cannot be decoded, it may be damaged: {message}", path.display())]
    UndecodableSegment {
        table: &'static str,
        path: PathBuf,
        message: String,
    },
    #[error("cannot build the `{table}` batch: {source}")]
    Arrow {
        table: &'static str,
        #[source]
        source: arrow_schema::ArrowError,
    },
}

/// Where a run's data came from, stored in every file's key-value metadata.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub scenario: String,
    pub seed: u64,
    pub config_hash: String,
    pub resolved_config_json: String,
}

/// What was written of one table: its rows, and its file's length and
/// digest (hashed as it was written).
#[derive(Debug, Clone)]
pub struct WrittenTable {
    pub name: &'static str,
    pub rows: u64,
    pub digest: FileDigest,
}

/// Every table written, in the order of [`tables`].
#[derive(Debug, Clone, Default)]
pub struct WriteSummary {
    pub tables: Vec<WrittenTable>,
}

impl WriteSummary {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// A table file being written: hashed as its bytes pass, buffered before the
/// disk.
type TableSink = HashingWriter<BufWriter<File>>;

/// Closes a table file: the encoder's footer, the buffer, the sync to disk.
/// Returns its digest.
fn close_table(
    name: &'static str,
    path: &Path,
    writer: ArrowWriter<TableSink>,
) -> Result<FileDigest, OutputError> {
    let sink = writer.into_inner().map_err(|source| OutputError::Parquet {
        table: name,
        source,
    })?;
    let (buffered, digest) = sink.into_parts();
    let file = buffered.into_inner().map_err(|e| OutputError::Create {
        path: path.to_path_buf(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(|source| OutputError::Create {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(digest)
}

/// Compression, provenance and the fixed `created_by` of every table file.
fn writer_properties(table: &TableDef, provenance: &Provenance) -> WriterProperties {
    let metadata = vec![
        KeyValue::new(
            "moatsim.version".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        KeyValue::new(
            "moatsim.schema_version".to_string(),
            SCHEMA_VERSION.to_string(),
        ),
        KeyValue::new("moatsim.table".to_string(), table.name.to_string()),
        KeyValue::new("moatsim.scenario".to_string(), provenance.scenario.clone()),
        KeyValue::new("moatsim.seed".to_string(), provenance.seed.to_string()),
        KeyValue::new(
            "moatsim.config_hash".to_string(),
            provenance.config_hash.clone(),
        ),
        KeyValue::new(
            "moatsim.config".to_string(),
            provenance.resolved_config_json.clone(),
        ),
    ];
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_key_value_metadata(Some(metadata));
    for column in &table.columns {
        let path = || ColumnPath::from(column.name);
        if !column.dictionary {
            builder = builder.set_column_dictionary_enabled(path(), false);
        }
        if !column.compressed {
            builder = builder.set_column_compression(path(), Compression::UNCOMPRESSED);
        }
        if !column.statistics {
            builder = builder.set_column_statistics_enabled(path(), EnabledStatistics::None);
        }
    }
    builder
        // The version string is fixed so that files do not change with the
        // parquet crate's patch version.
        .set_created_by(format!("moatsim {}", env!("CARGO_PKG_VERSION")))
        .build()
}

/// The open Parquet files of one run.
pub struct RunWriter {
    tables: Vec<OpenTable>,
    writeback: Writeback,
}

/// One table's file while a run writes it.
struct OpenTable {
    table: TableDef,
    path: PathBuf,
    writer: ArrowWriter<TableSink>,
    rows: u64,
}

/// Sends each quarter's bytes to the disk while the next quarters are
/// simulated and encoded. Without it the kernel holds a run's output in the
/// page cache (up to a tenth of memory by default) and `finish` waits for all
/// of it at once: at a million builders, 1.5 GB and five seconds on a disk
/// that writes 300 MB/s. A thread of its own calls `sync_data` on a second
/// handle of every file after each quarter, so neither the simulation nor
/// the encoder waits for the disk; requests made while it is busy are merged.
struct Writeback {
    requests: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Writeback {
    fn spawn(files: Vec<File>) -> std::io::Result<Self> {
        let (requests, received) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("moatsim-sync".into())
            .spawn(move || {
                for () in received {
                    for file in &files {
                        file.sync_data()?;
                    }
                }
                Ok(())
            })?;
        Ok(Self {
            requests: Some(requests),
            thread: Some(thread),
        })
    }

    /// Asks for the files written so far to be sent to the disk; a request
    /// already waiting covers this one.
    fn request(&self) {
        if let Some(requests) = &self.requests {
            // Full: a request is already waiting. Disconnected: the thread
            // stopped on an error, which `finish` reports.
            let _ = requests.try_send(());
        }
    }

    /// Waits for the thread; an error it met is returned.
    fn finish(&mut self) -> std::io::Result<()> {
        self.requests = None;
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(std::io::Error::other("the writeback thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Writeback {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

impl std::fmt::Debug for RunWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunWriter")
            .field("tables", &self.tables.len())
            .finish()
    }
}

impl RunWriter {
    /// Creates `<dir>/<table>.parquet` for every table. `dir` must exist.
    pub fn create(dir: &Path, provenance: &Provenance) -> Result<Self, OutputError> {
        Self::create_with_suffix(dir, "", provenance)
    }

    /// Creates `<dir>/<table>.parquet<suffix>` for every table, for writers that
    /// publish the files under their real names only when they are complete.
    pub fn create_with_suffix(
        dir: &Path,
        suffix: &str,
        provenance: &Provenance,
    ) -> Result<Self, OutputError> {
        let mut open = Vec::new();
        let mut handles = Vec::new();
        for table in tables() {
            let path = dir.join(format!("{}.parquet{suffix}", table.name));
            let create = |source| OutputError::Create {
                path: path.clone(),
                source,
            };
            let file = File::create(&path).map_err(create)?;
            handles.push(file.try_clone().map_err(create)?);
            let writer = ArrowWriter::try_new(
                HashingWriter::new(BufWriter::new(file)),
                table.schema(),
                Some(writer_properties(&table, provenance)),
            )
            .map_err(|source| OutputError::Parquet {
                table: table.name,
                source,
            })?;
            open.push(OpenTable {
                table,
                path,
                writer,
                rows: 0,
            });
        }
        let writeback = Writeback::spawn(handles).map_err(|source| OutputError::Create {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Self {
            tables: open,
            writeback,
        })
    }

    /// Appends the quarter to every table and flushes it as its own row group,
    /// so memory does not grow with the horizon. The frame is consumed: its
    /// builder columns move into the batch instead of being copied.
    pub fn write_frame(&mut self, mut frame: TickFrame) -> Result<(), OutputError> {
        for OpenTable {
            table,
            writer,
            rows,
            ..
        } in &mut self.tables
        {
            let batch = batch_for(table, &mut frame).map_err(|source| OutputError::Arrow {
                table: table.name,
                source,
            })?;
            if let Some(found) = first_non_finite(&batch) {
                return Err(OutputError::NonFinite {
                    table: table.name,
                    found,
                });
            }
            *rows += batch.num_rows() as u64;
            writer
                .write(&batch)
                .map_err(|source| OutputError::Parquet {
                    table: table.name,
                    source,
                })?;
            writer.flush().map_err(|source| OutputError::Parquet {
                table: table.name,
                source,
            })?;
        }
        self.writeback.request();
        Ok(())
    }

    /// Closes every file, writing the Parquet footers.
    pub fn finish(mut self) -> Result<WriteSummary, OutputError> {
        let mut summary = WriteSummary::default();
        self.writeback
            .finish()
            .map_err(|source| OutputError::Writeback { source })?;
        for open in std::mem::take(&mut self.tables) {
            let name = open.table.name;
            let digest = close_table(name, &open.path, open.writer)?;
            summary.tables.push(WrittenTable {
                name,
                rows: open.rows,
                digest,
            });
        }
        Ok(summary)
    }
}

/// A [`RunWriter`] on its own thread, so that writing quarter *t* overlaps
/// simulating quarter *t + 1*. Frames are handed over one at a time (the
/// channel holds none, so at most one frame is being written while the next
/// is simulated) and written in the order they were sent, by one thread, so
/// the files are the same bytes as a writer on the caller's thread would
/// produce.
pub struct BackgroundWriter {
    frames: Option<std::sync::mpsc::SyncSender<TickFrame>>,
    worker: Worker,
}

/// The writer thread, or why there is none.
enum Worker {
    Running(std::thread::JoinHandle<Result<RunWriter, OutputError>>),
    /// The operating system refused the thread (at a process's or user's
    /// thread limit, or out of memory). The next `write_frame` or `finish`
    /// returns the error, where callers already handle the writer's errors.
    Refused(std::io::Error),
    /// Joined, its result already returned.
    Joined,
}

impl std::fmt::Debug for BackgroundWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundWriter").finish_non_exhaustive()
    }
}

impl BackgroundWriter {
    /// Starts the thread that owns `writer`. Should the operating system
    /// refuse the thread, the writer is dropped and the first `write_frame`
    /// or `finish` returns [`OutputError::WriterThread`].
    pub fn spawn(mut writer: RunWriter) -> Self {
        let (frames, received) = std::sync::mpsc::sync_channel::<TickFrame>(0);
        let started = std::thread::Builder::new()
            .name("moatsim-writer".into())
            .spawn(move || {
                for frame in received {
                    // On an error the thread stops taking frames; the caller
                    // sees it at its next hand-over or at `finish`.
                    writer.write_frame(frame)?;
                }
                Ok(writer)
            });
        let worker = match started {
            Ok(thread) => Worker::Running(thread),
            // The receiver went with the refused closure, so the first frame
            // handed over finds the channel closed and `join` reports this.
            Err(refused) => Worker::Refused(refused),
        };
        Self {
            frames: Some(frames),
            worker,
        }
    }

    /// Hands a quarter to the writer thread. An error the thread met with an
    /// earlier frame is returned here.
    pub fn write_frame(&mut self, frame: TickFrame) -> Result<(), OutputError> {
        let sent = self.frames.as_ref().is_some_and(|s| s.send(frame).is_ok());
        if sent {
            Ok(())
        } else {
            // The thread has stopped: its error explains why.
            self.join().map(|_| ())
        }
    }

    fn join(&mut self) -> Result<RunWriter, OutputError> {
        self.frames = None;
        match std::mem::replace(&mut self.worker, Worker::Joined) {
            Worker::Running(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Worker::Refused(source) => Err(OutputError::WriterThread { source }),
            Worker::Joined => Err(OutputError::WriterGone),
        }
    }

    /// Waits for every frame handed over to be written, then closes the
    /// files ([`RunWriter::finish`]).
    pub fn finish(mut self) -> Result<WriteSummary, OutputError> {
        self.join()?.finish()
    }
}

/// Joins segment files `<table>.parquet.seg0000 …` (closed at checkpoints) into
/// `<table>.parquet<suffix>`, row group by row group, and leaves them for the
/// caller to remove ([`remove_segments`]) once every table is joined. Each
/// quarter stays its own row group and the bytes are those a single writer
/// would have produced, so a checkpointed run writes the same files as one
/// that never stopped.
pub fn merge_segments(
    dir: &Path,
    segments: u32,
    suffix: &str,
    provenance: &Provenance,
) -> Result<WriteSummary, OutputError> {
    let mut summary = WriteSummary::default();
    for table in tables() {
        let name = table.name;
        let parquet = |source| OutputError::Parquet {
            table: name,
            source,
        };
        let path = dir.join(format!("{name}.parquet{suffix}"));
        let file = File::create(&path).map_err(|source| OutputError::Create {
            path: path.clone(),
            source,
        })?;
        let schema = table.schema();
        let mut writer = ArrowWriter::try_new(
            HashingWriter::new(BufWriter::new(file)),
            Arc::clone(&schema),
            Some(writer_properties(&table, provenance)),
        )
        .map_err(parquet)?;
        let mut rows = 0u64;
        for k in 0..segments {
            let segment = segment_path(dir, name, k);
            rows += copy_segment(&segment, name, &schema, &mut writer)?;
        }
        let digest = close_table(name, &path, writer)?;
        summary.tables.push(WrittenTable { name, rows, digest });
    }
    Ok(summary)
}

/// Appends one segment's row groups to `writer`, each its own row group
/// again; returns the rows copied. A segment that cannot be decoded is an
/// error naming it, even when the decoder panics.
fn copy_segment(
    segment: &Path,
    name: &'static str,
    schema: &Arc<arrow_schema::Schema>,
    writer: &mut ArrowWriter<TableSink>,
) -> Result<u64, OutputError> {
    let copied = crate::guard::decoding(|| copy_row_groups(segment, name, schema, writer));
    copied.unwrap_or_else(|message| {
        Err(OutputError::UndecodableSegment {
            table: name,
            path: segment.to_path_buf(),
            message,
        })
    })
}

fn copy_row_groups(
    segment: &Path,
    name: &'static str,
    schema: &Arc<arrow_schema::Schema>,
    writer: &mut ArrowWriter<TableSink>,
) -> Result<u64, OutputError> {
    let parquet = |source| OutputError::Parquet {
        table: name,
        source,
    };
    let open = || {
        File::open(segment).map_err(|source| OutputError::Create {
            path: segment.to_path_buf(),
            source,
        })
    };
    let groups = ParquetRecordBatchReaderBuilder::try_new(open()?)
        .map_err(parquet)?
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows())
        .collect::<Vec<_>>();
    let mut rows = 0u64;
    for (group, group_rows) in groups.into_iter().enumerate() {
        let Ok(batch_size) = usize::try_from(group_rows) else {
            continue;
        };
        if batch_size == 0 {
            continue;
        }
        let reader = ParquetRecordBatchReaderBuilder::try_new(open()?)
            .map_err(parquet)?
            .with_row_groups(vec![group])
            .with_batch_size(batch_size)
            .build()
            .map_err(parquet)?;
        for batch in reader {
            let batch = batch.map_err(|e| parquet(e.into()))?;
            // The writer's own schema, so field metadata matches exactly.
            let batch = RecordBatch::try_new(Arc::clone(schema), batch.columns().to_vec())
                .map_err(|source| OutputError::Arrow {
                    table: name,
                    source,
                })?;
            rows += batch.num_rows() as u64;
            writer.write(&batch).map_err(parquet)?;
        }
        writer.flush().map_err(parquet)?;
    }
    Ok(rows)
}

/// Removes the segment files of every table once they have been joined. A
/// segment already gone is fine, so an interrupted removal can be repeated.
pub fn remove_segments(dir: &Path, segments: u32) -> Result<(), OutputError> {
    for table in tables() {
        for k in 0..segments {
            let segment = segment_path(dir, table.name, k);
            match std::fs::remove_file(&segment) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(OutputError::Create {
                        path: segment,
                        source,
                    });
                }
            }
        }
    }
    Ok(())
}

/// The file of segment `k` of a table.
pub fn segment_path(dir: &Path, table: &str, k: u32) -> PathBuf {
    dir.join(format!("{table}.parquet{}", segment_suffix(k)))
}

/// The suffix segment `k`'s files are created with.
pub fn segment_suffix(k: u32) -> String {
    format!(".seg{k:04}")
}

#[cfg(test)]
mod tests {
    use moatsim_records::{AppBuilderColumns, Stamp, TickFrame, WorldRow};

    use super::{BackgroundWriter, OutputError, Worker};

    fn empty_frame() -> TickFrame {
        TickFrame {
            stamp: Stamp {
                tick: 0,
                year: 2025,
                quarter: 1,
            },
            labs: Vec::new(),
            accelerator_buyers: Vec::new(),
            investors: Vec::new(),
            chipmakers: Vec::new(),
            utilities: Vec::new(),
            regulators: Vec::new(),
            projects: Vec::new(),
            app_builders: AppBuilderColumns::default(),
            segment_names: Vec::new(),
            app_builder_segments: Vec::new(),
            markets: Vec::new(),
            world: WorldRow::default(),
            events: Vec::new(),
        }
    }

    /// What `spawn` leaves when the operating system refuses the thread (its
    /// sender's receiver gone with the refused closure).
    fn refused() -> BackgroundWriter {
        let (frames, _) = std::sync::mpsc::sync_channel(0);
        BackgroundWriter {
            frames: Some(frames),
            worker: Worker::Refused(std::io::Error::other("thread limit reached")),
        }
    }

    #[test]
    fn a_refused_writer_thread_is_an_error_at_the_first_hand_over() {
        let mut writer = refused();
        let error = writer
            .write_frame(empty_frame())
            .expect_err("no thread to write");
        assert!(matches!(error, OutputError::WriterThread { .. }), "{error}");
        assert!(
            error.to_string().contains("thread limit reached"),
            "{error}"
        );
        // Reported once; after that the writer is simply gone.
        assert!(matches!(writer.finish(), Err(OutputError::WriterGone)));
    }

    #[test]
    fn a_refused_writer_thread_is_an_error_at_finish() {
        assert!(matches!(
            refused().finish(),
            Err(OutputError::WriterThread { .. })
        ));
    }
}
