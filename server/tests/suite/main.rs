//! The server's integration tests, in one test binary (as mdBook's `testsuite` and
//! Zola's `components/*/tests`): one link instead of one per file, which is most of a
//! cold `cargo test`'s time. Each module keeps its own fixtures and helpers.
//!
//! Run one module with `cargo test -p server --test suite isr::`.

mod api;
mod cluster;
mod cms_vendors;
mod common;
mod export;
mod isr;
mod shop;
