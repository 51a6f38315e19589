//! The web app's import and run, done by the same code as `reckon import`
//! and `reckon run` (reckon-web defines what it needs; the binary has it).

mod workspace_actions;

pub use workspace_actions::WorkspaceWebActions;
