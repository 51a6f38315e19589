//! One file per subcommand.

mod convert;
mod demo;
mod export;
mod map;
mod profiles;
pub(crate) mod review_commands;
pub(crate) mod run;
mod serve;
mod user_commands;
mod workspace_commands;

use anyhow::Result;

use crate::cli::{Cli, Command};

pub fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Convert(args) => convert::run(&args),
        Command::Profiles(args) => profiles::run(&args),
        Command::Map(args) => map::run(&args),
        Command::Init(args) => workspace_commands::init(&args),
        Command::Import(args) => workspace_commands::import(&args),
        Command::Imports(args) => workspace_commands::imports(&args),
        Command::Audit(args) => workspace_commands::audit(&args),
        Command::Runs(args) => review_commands::runs(&args),
        Command::Findings(args) => review_commands::findings(&args),
        Command::Show(args) => review_commands::show(&args),
        Command::Review(args) => review_commands::review(&args),
        Command::Diff(args) => review_commands::diff(&args),
        Command::Close(args) => review_commands::close(&args, true),
        Command::Reopen(args) => review_commands::close(&args, false),
        Command::Config(args) => workspace_commands::config(&args),
        Command::Export(args) => export::export(&args),
        Command::Adjustments(args) => export::adjustments(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::User(command) => user_commands::user(&command),
        Command::Token(command) => user_commands::token(&command),
    }
}
