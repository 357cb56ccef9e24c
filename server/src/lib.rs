//! The `atoll` library: the framework crates under one name, for the `atoll` binary
//! (`main.rs`, `commands/`) and the integration tests (`tests/suite`). Nothing depends on
//! the binary; the crates depend on each other in one direction:
//!
//! ```text
//! app (the site: routes, pages)  ◄──  atoll-content  ◄──  atoll-render  ◄──  atoll-export
//!                                                               ▲
//!                                                               └── atoll-serve  ◄──  atoll-dev
//! ```
#![deny(missing_docs)]

/// The static export: the `atoll-export` crate.
pub use atoll_export as export;
pub use atoll_serve::*;
