//! Benchmarks live in `quarter.rs`; this library is empty so the package can host them.
