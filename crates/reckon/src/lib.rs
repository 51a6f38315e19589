//! The `reckon` command line: argument parsing, loading files, and choosing
//! what to print. The engine lives in `reckon-core`.

pub mod annotations;
pub mod cli;
pub mod commands;
pub mod custom_profiles;
pub mod dataset;
pub mod demo;
pub mod error;
pub mod importing;
pub mod mapping_files;
pub mod output;
pub mod params;
pub mod pipeline;
pub mod report_source;
pub mod web_actions;
pub mod workspace;
