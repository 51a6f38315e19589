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
    let result = reckon::commands::dispatch(cli);
    tracing::info!("done");
    if let Err(error) = result {
        // Output piped into `head` and closed early is not a failure.
        let broken_pipe = error.chain().any(|cause| {
            cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
        });
        if broken_pipe {
            return;
        }
        if reckon::error::is_user_error(&error) {
            eprintln!("error: {error:#}");
        } else {
            tracing::error!("{error:#}");
            eprintln!("internal error: {error:#}");
        }
        std::process::exit(reckon::error::exit_code(&error));
    }
}
