//! Command-line arguments. Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// reckon: find what an MSP bills wrongly before the invoices go out.
#[derive(Debug, Parser)]
#[command(name = "reckon", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reconcile a canonical data set from files and write the results.
    Run(RunArgs),
    /// Reconcile the built-in demo MSP and print what it finds.
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Directory with billing.csv, usage.csv, client_map.csv,
    /// product_map.csv, products.csv (and optionally clients.csv).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The instant usage is judged at: a date (00:00 UTC) or an RFC 3339
    /// instant.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: String,
    /// Items last seen more than this many days before --as-of are stale.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub stale_days: u32,
    /// Where to write recon.csv, exceptions.csv and findings.json.
    #[arg(long, value_name = "OUTDIR")]
    pub out: PathBuf,
    /// Threads for reading usage (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// How many of the largest findings the summary lists.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Also write the demo's input files (DIR/data) and results
    /// (DIR/results) so you can see what they look like.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// How many of the largest findings the summary lists.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub top: usize,
}
