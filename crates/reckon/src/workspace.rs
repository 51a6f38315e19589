//! A workspace: a directory with `reckon.toml` (settings) and, by default,
//! the SQLite database `reckon.db` beside it; or a PostgreSQL URL for a
//! shared deployment (`database_url` in reckon.toml, `--database-url` or
//! `RECKON_DATABASE_URL`, in that order of precedence from last to first).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use reckon_store::SqlStore;
use serde::{Deserialize, Serialize};

use crate::error::UserError;

pub const CONFIG_FILE: &str = "reckon.toml";
pub const DEFAULT_DATABASE: &str = "reckon.db";

/// `reckon.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceConfig {
    /// `sqlite://reckon.db` (relative to the workspace) or `postgres://...`.
    pub database_url: String,
    /// Days after which a source's latest import counts as stale.
    #[serde(default = "default_import_stale_days")]
    pub import_stale_days: u32,
}

fn default_import_stale_days() -> u32 {
    7
}

/// An opened workspace.
#[derive(Debug)]
pub struct Workspace {
    pub dir: PathBuf,
    pub config: WorkspaceConfig,
    pub store: SqlStore,
}

/// Who is acting: `--user`, else `RECKON_USER`, else the login name.
pub fn actor(given: Option<&str>) -> String {
    given
        .map(str::to_string)
        .or_else(|| std::env::var("RECKON_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The tokio runtime the store needs, for a command that uses it.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Where the workspace is: `--workspace`, else `RECKON_WORKSPACE`, else the
/// current directory or the nearest parent with a reckon.toml.
pub fn locate(given: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = given {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("RECKON_WORKSPACE") {
        return Ok(PathBuf::from(dir));
    }
    let start = std::env::current_dir().context("cannot read the current directory")?;
    let mut dir = start.as_path();
    loop {
        if dir.join(CONFIG_FILE).exists() {
            return Ok(dir.to_path_buf());
        }
        match dir.parent() {
            Some(parent) => dir = parent,
            None => {
                return Err(UserError(format!(
                    "no reckon workspace here ({} has no {CONFIG_FILE} up to the root): run `reckon init` or pass --workspace",
                    start.display()
                ))
                .into());
            }
        }
    }
}

fn database_url(dir: &Path, config: &WorkspaceConfig, override_url: Option<&str>) -> String {
    if let Some(url) = override_url {
        return url.to_string();
    }
    if let Ok(url) = std::env::var("RECKON_DATABASE_URL") {
        return url;
    }
    let url = &config.database_url;
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return url.clone();
    }
    let path = url.strip_prefix("sqlite://").unwrap_or(url);
    let path = Path::new(path);
    if path.is_absolute() {
        path.display().to_string()
    } else {
        dir.join(path).display().to_string()
    }
}

/// Creates a workspace in `dir` (made if needed); an existing one is an
/// error that says so.
pub async fn init(dir: &Path, database_url_override: Option<&str>) -> Result<Workspace> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let config_path = dir.join(CONFIG_FILE);
    if config_path.exists() {
        return Err(UserError(format!(
            "{} already holds a reckon workspace ({CONFIG_FILE} exists)",
            dir.display()
        ))
        .into());
    }
    let config = WorkspaceConfig {
        database_url: database_url_override
            .map(str::to_string)
            .unwrap_or_else(|| format!("sqlite://{DEFAULT_DATABASE}")),
        import_stale_days: default_import_stale_days(),
    };
    let url = database_url(dir, &config, database_url_override);
    let store = SqlStore::open(&url)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    let text = toml::to_string(&config).context("cannot write the settings")?;
    std::fs::write(&config_path, format!("# reckon workspace settings\n{text}"))
        .with_context(|| format!("cannot write {}", config_path.display()))?;
    Ok(Workspace {
        dir: dir.to_path_buf(),
        config,
        store,
    })
}

/// Opens the workspace a command names (`--workspace`, else found), on the
/// command's runtime.
pub fn open_from_args(
    args: &crate::cli::WorkspaceArgs,
    runtime: &tokio::runtime::Runtime,
) -> Result<Workspace> {
    let dir = locate(args.workspace.as_deref())?;
    runtime.block_on(open(&dir, args.database_url.as_deref()))
}

/// Opens the workspace in `dir`.
pub async fn open(dir: &Path, database_url_override: Option<&str>) -> Result<Workspace> {
    let config_path = dir.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&config_path).map_err(|_| {
        UserError(format!(
            "{} is not a reckon workspace (no {CONFIG_FILE}): run `reckon init {}`",
            dir.display(),
            dir.display()
        ))
    })?;
    let config: WorkspaceConfig = toml::from_str(&text)
        .map_err(|e| UserError(format!("{}: {}", config_path.display(), e.message())))?;
    let url = database_url(dir, &config, database_url_override);
    let store = SqlStore::open(&url)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    Ok(Workspace {
        dir: dir.to_path_buf(),
        config,
        store,
    })
}
