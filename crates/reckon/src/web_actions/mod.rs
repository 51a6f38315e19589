//! What the web app asks of the binary (reckon-web defines the traits it
//! needs; the binary has the code): import and run, done by the same code
//! as `reckon import` and `reckon run`, and mapping snapshots.

pub mod mapping;
mod workspace_actions;

pub use workspace_actions::WorkspaceWebActions;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests: fail loudly
mod mapping_tests;
