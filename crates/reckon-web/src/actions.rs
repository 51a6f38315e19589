//! What the web app asks of the workspace that only the binary can do:
//! converting and importing export files, and running a period. The binary
//! implements [`WorkspaceActions`] with the same code as `reckon import` and
//! `reckon run`; without it, those routes answer 503.

use std::future::Future;
use std::pin::Pin;

use crate::error::WebError;

/// A boxed future, so the trait can be used as `dyn`.
pub type ActionFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ActionError>> + Send + 'a>>;

/// Why an action failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ActionError {
    /// The user can fix it (a file, a row, a period): the message says how.
    #[error("{0}")]
    User(String),
    /// Ours: logged, not shown.
    #[error("{0}")]
    Internal(String),
}

impl From<ActionError> for WebError {
    fn from(error: ActionError) -> Self {
        match error {
            ActionError::User(message) => WebError::BadRequest(message),
            ActionError::Internal(detail) => WebError::Internal(detail),
        }
    }
}

/// An uploaded file: its name (which tells a canonical file such as
/// `usage.csv`) and its bytes.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// One part of an export a source profile recognised.
#[derive(Debug, Clone, Default)]
pub struct RecognisedPart {
    pub profile: String,
    pub part: String,
    /// Why this profile was chosen.
    pub reason: String,
    pub rows_read: u64,
    pub rows_used: u64,
    /// Rows not used, by reason.
    pub skipped: Vec<(String, u64)>,
    /// The first unreadable rows, naming row and column.
    pub problems: Vec<String>,
    pub unreadable: u64,
}

/// A snapshot an import would store.
#[derive(Debug, Clone, Default)]
pub struct SnapshotPreview {
    /// `billing`, `usage`, `clients`, ...
    pub kind: String,
    /// `psa` or the usage feed.
    pub source: String,
    pub rows: u64,
    pub newest_seen: Option<String>,
}

/// What one file would give.
#[derive(Debug, Clone, Default)]
pub struct FileCheck {
    pub file_name: String,
    /// SHA-256 of the bytes: the same file imported before is recognised.
    pub file_hash: String,
    /// Empty for a canonical file (read as it is).
    pub recognised: Vec<RecognisedPart>,
    pub notes: Vec<String>,
    pub snapshots: Vec<SnapshotPreview>,
    /// Why nothing can be taken from the file.
    pub error: Option<String>,
}

/// What importing some files would store, nothing stored yet.
#[derive(Debug, Clone)]
pub struct ImportCheck {
    /// The period the snapshots would go under, or why it cannot be told.
    pub period: Result<String, String>,
    pub files: Vec<FileCheck>,
}

/// A snapshot an import stored (or found already stored).
#[derive(Debug, Clone)]
pub struct Imported {
    pub id: i64,
    /// The same file was already imported: nothing was stored again.
    pub already_imported: bool,
    pub period: String,
    pub kind: String,
    pub source: String,
    pub file_name: String,
    pub rows: u64,
}

/// A run a period run stored.
#[derive(Debug, Clone)]
pub struct RunStarted {
    pub run_id: i64,
    pub period: String,
    pub finding_count: u64,
    /// About the imports: stale ones, feeds missing since the last period.
    pub warnings: Vec<String>,
}

/// The workspace's import and run, as the binary does them.
pub trait WorkspaceActions: Send + Sync + std::fmt::Debug {
    /// Reads and converts `files` as an import would, storing nothing.
    fn check_import<'a>(
        &'a self,
        files: &'a [UploadedFile],
        period: Option<&'a str>,
    ) -> ActionFuture<'a, ImportCheck>;

    /// Imports `files` in one transaction (all or nothing), as `actor`.
    fn import<'a>(
        &'a self,
        files: &'a [UploadedFile],
        period: Option<&'a str>,
        actor: &'a str,
    ) -> ActionFuture<'a, Vec<Imported>>;

    /// Runs `period` (default: the latest imported) and stores the run.
    fn run_period<'a>(
        &'a self,
        period: Option<&'a str>,
        actor: &'a str,
    ) -> ActionFuture<'a, RunStarted>;
}
