//! End-to-end tests live in `e2e_*.rs`; this library is empty so the package can host them.
