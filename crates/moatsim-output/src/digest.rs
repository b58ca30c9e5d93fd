//! Digests of the files moatsim writes, so that a file damaged after it was
//! written (truncated by a full disk, half-synced on a shared file system,
//! a bit flipped in a copy) is found before anything trusts it.
//!
//! A digest is the file's length and its XXH3-128 hash. XXH3 is a
//! non-cryptographic hash: it detects accidental damage with a collision
//! chance of 2⁻¹²⁸, not a deliberate forgery. It was chosen by measurement:
//! it hashes at memory speed (many GB/s), so hashing every byte a run writes
//! while writing it costs little of a run's wall time, where SHA-256 (about
//! 1.5 GB/s here, with the CPU's SHA instructions) would have cost a
//! noticeable share of a million-builder run.

use std::fmt;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use twox_hash::XxHash3_128;

/// The name of the hash, as manifests and checkpoints record it.
pub const DIGEST_ALGORITHM: &str = "xxh3-128";

/// A file's length and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDigest {
    pub bytes: u64,
    /// XXH3-128 of the whole file, as 32 lowercase hex digits.
    pub xxh3_128: String,
}

impl FileDigest {
    fn of(hasher: &XxHash3_128, bytes: u64) -> Self {
        Self {
            bytes,
            xxh3_128: format!("{:032x}", hasher.finish_128()),
        }
    }
}

/// The digest of bytes held in memory.
pub fn digest_bytes(bytes: &[u8]) -> FileDigest {
    let mut hasher = XxHash3_128::new();
    hasher.write(bytes);
    FileDigest::of(&hasher, bytes.len() as u64)
}

/// The digest of a file on disk, read in blocks.
pub fn digest_file(path: &Path) -> std::io::Result<FileDigest> {
    let mut file = File::open(path)?;
    let mut hasher = XxHash3_128::new();
    let mut block = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let read = match file.read(&mut block) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        hasher.write(&block[..read]);
        bytes += read as u64;
    }
    Ok(FileDigest::of(&hasher, bytes))
}

/// What is wrong with a file that should have a known digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// The file is not there.
    Missing,
    /// It is shorter (or longer) than it was written.
    Size { expected: u64, found: u64 },
    /// Its length is right but its bytes differ.
    Altered,
    /// It cannot be read at all.
    Unreadable(String),
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("missing"),
            Self::Size { expected, found } if found < expected => write!(
                f,
                "truncated: {found} of the {expected} bytes it was written with"
            ),
            Self::Size { expected, found } => {
                write!(f, "{found} bytes where {expected} were written")
            }
            Self::Altered => f.write_str("altered: its bytes differ from those written"),
            Self::Unreadable(why) => write!(f, "unreadable: {why}"),
        }
    }
}

/// Whether the file at `path` is the one `expected` describes. The length is
/// compared first, so a truncated file is found without reading it.
pub fn check_file(path: &Path, expected: &FileDigest) -> Result<(), Damage> {
    let length = match std::fs::metadata(path) {
        Ok(metadata) => metadata.len(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(Damage::Missing),
        Err(error) => return Err(Damage::Unreadable(error.to_string())),
    };
    if length != expected.bytes {
        return Err(Damage::Size {
            expected: expected.bytes,
            found: length,
        });
    }
    let found = digest_file(path).map_err(|e| Damage::Unreadable(e.to_string()))?;
    if &found == expected {
        Ok(())
    } else if found.bytes != expected.bytes {
        // It changed between the two looks.
        Err(Damage::Size {
            expected: expected.bytes,
            found: found.bytes,
        })
    } else {
        Err(Damage::Altered)
    }
}

/// A writer that hashes every byte it passes on, so a file's digest is known
/// the moment it is closed, without reading it back.
pub struct HashingWriter<W> {
    inner: W,
    hasher: XxHash3_128,
    bytes: u64,
}

impl<W> fmt::Debug for HashingWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HashingWriter")
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: XxHash3_128::new(),
            bytes: 0,
        }
    }

    /// The inner writer and the digest of everything written through it.
    pub fn into_parts(self) -> (W, FileDigest) {
        let digest = FileDigest::of(&self.hasher, self.bytes);
        (self.inner, digest)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        // Only what the inner writer took: a short write is retried by the
        // caller with the rest, which is hashed then.
        self.hasher.write(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_hashed_while_written_has_the_digest_of_its_bytes_on_disk() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f");
        let mut writer = HashingWriter::new(File::create(&path).expect("create"));
        // Writes of every size, as an encoder makes them.
        for size in [0usize, 1, 7, 4096, 100_000, 3] {
            writer.write_all(&vec![size as u8; size]).expect("write");
        }
        let (_, digest) = writer.into_parts();
        assert_eq!(digest_file(&path).expect("read"), digest);
        assert_eq!(digest.bytes, 104_107);
        assert_eq!(digest, digest_bytes(&std::fs::read(&path).expect("bytes")));
        assert_eq!(check_file(&path, &digest), Ok(()));
    }

    #[test]
    fn every_kind_of_damage_is_told_apart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f");
        let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &bytes).expect("write");
        let digest = digest_bytes(&bytes);
        for position in [0, 1, 4_999, 9_999] {
            for bit in [0, 7] {
                let mut flipped = bytes.clone();
                flipped[position] ^= 1 << bit;
                std::fs::write(&path, &flipped).expect("write");
                assert_eq!(check_file(&path, &digest), Err(Damage::Altered));
            }
        }
        std::fs::write(&path, &bytes[..9_000]).expect("truncate");
        let truncated = check_file(&path, &digest).expect_err("truncated");
        assert_eq!(
            truncated,
            Damage::Size {
                expected: 10_000,
                found: 9_000
            }
        );
        assert!(truncated.to_string().starts_with("truncated: 9000 of"));
        std::fs::remove_file(&path).expect("remove");
        assert_eq!(check_file(&path, &digest), Err(Damage::Missing));
    }
}
