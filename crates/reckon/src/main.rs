use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("RECKON_LOG").unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = reckon::cli::Cli::parse();
    if let Err(error) = reckon::commands::dispatch(cli) {
        if reckon::error::is_user_error(&error) {
            eprintln!("error: {error:#}");
        } else {
            tracing::error!("{error:#}");
            eprintln!("internal error: {error:#}");
        }
        std::process::exit(reckon::error::exit_code(&error));
    }
}
