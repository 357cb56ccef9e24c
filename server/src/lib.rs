//! The `atoll` library: the framework crates under one name, for the `atoll` binary
//! (`main.rs`, `commands/`) and the integration tests (`tests/suite`). Nothing depends on
//! the binary; the crates depend on each other in one direction:
//!
//! ```text
//! app (the site: routes, pages)  ◄──  atoll-content  ◄──  atoll-render  ◄──  atoll-export
//!                                                               ▲                 ▲
//!                                                               └── atoll-serve ──┘
//! ```
#![deny(missing_docs)]

pub use atoll_serve::*;
