//! [`WorkspaceActions`] on a workspace: importing uploaded files with
//! `importing::prepare_named` and `store_imports` (as `reckon import`), and
//! running a period with `run_period` (as `reckon run`).

use std::sync::Arc;

use reckon_sources::profiles::Registry;
use reckon_store::ImportOutcome;
use reckon_web::actions::{
    ActionError, ActionFuture, FileCheck, ImportCheck, Imported, RecognisedPart, RunStarted,
    SnapshotPreview, UploadedFile, WorkspaceActions,
};

use crate::commands::run::{PeriodRunRequest, run_period};
use crate::error::is_user_error;
use crate::importing::{self, NamedFile};
use crate::workspace::Workspace;

/// A workspace's imports and runs for the web app.
#[derive(Debug, Clone)]
pub struct WorkspaceWebActions {
    workspace: Arc<Workspace>,
    registry: Arc<Registry>,
    /// Days after which an item counts as stale (as `reckon run`'s default).
    stale_days: u32,
}

impl WorkspaceWebActions {
    pub fn new(workspace: Arc<Workspace>, registry: Registry) -> WorkspaceWebActions {
        WorkspaceWebActions {
            workspace,
            registry: Arc::new(registry),
            stale_days: 30,
        }
    }
}

/// A user's mistake says what to fix; anything else is logged, not shown.
fn action_error(error: anyhow::Error) -> ActionError {
    if is_user_error(&error) {
        ActionError::User(format!("{error:#}"))
    } else {
        ActionError::Internal(format!("{error:#}"))
    }
}

fn named(files: &[UploadedFile]) -> Vec<NamedFile> {
    files
        .iter()
        .map(|file| NamedFile {
            name: file.name.clone(),
            bytes: file.bytes.clone(),
        })
        .collect()
}

use reckon_store::clock::now_instant as now;

fn joined(error: tokio::task::JoinError) -> ActionError {
    ActionError::Internal(format!("the conversion stopped: {error}"))
}

impl WorkspaceActions for WorkspaceWebActions {
    fn check_import<'a>(
        &'a self,
        files: &'a [UploadedFile],
        period: Option<&'a str>,
    ) -> ActionFuture<'a, ImportCheck> {
        Box::pin(async move {
            let files = named(files);
            let period = period.map(str::to_string);
            let registry = Arc::clone(&self.registry);
            // Converting is CPU work: off the request threads.
            let preview = tokio::task::spawn_blocking(move || {
                importing::preview(&files, period.as_deref(), now(), &registry)
            })
            .await
            .map_err(joined)?;
            Ok(ImportCheck {
                period: preview.period,
                files: preview
                    .files
                    .into_iter()
                    .map(|file| FileCheck {
                        file_name: file.file_name,
                        file_hash: file.file_hash,
                        recognised: file
                            .recognised
                            .into_iter()
                            .map(|report| RecognisedPart {
                                profile: report.profile,
                                part: report.part,
                                reason: report.reason,
                                rows_read: report.rows_read,
                                rows_used: report.rows_used,
                                skipped: report.skipped.into_iter().collect(),
                                problems: report.problems,
                                unreadable: report.unreadable,
                            })
                            .collect(),
                        notes: file.notes,
                        snapshots: file
                            .snapshots
                            .into_iter()
                            .map(|(kind, source, rows, newest_seen)| SnapshotPreview {
                                kind: kind.as_str().to_string(),
                                source,
                                rows,
                                newest_seen,
                            })
                            .collect(),
                        error: file.error,
                    })
                    .collect(),
            })
        })
    }

    fn import<'a>(
        &'a self,
        files: &'a [UploadedFile],
        period: Option<&'a str>,
        actor: &'a str,
    ) -> ActionFuture<'a, Vec<Imported>> {
        Box::pin(async move {
            let files = named(files);
            let period = period.map(str::to_string);
            let actor_name = actor.to_string();
            let registry = Arc::clone(&self.registry);
            let prepared = tokio::task::spawn_blocking(move || {
                importing::prepare_named(&files, period.as_deref(), &actor_name, now(), &registry)
            })
            .await
            .map_err(joined)?
            .map_err(action_error)?;
            let stored = importing::store_imports(&self.workspace, prepared)
                .await
                .map_err(action_error)?;
            for (import, outcome) in &stored {
                if let ImportOutcome::Stored(id) = outcome {
                    tracing::info!(
                        import.id = id,
                        kind = import.kind.as_str(),
                        rows = import.rows,
                        "imported from the web"
                    );
                }
            }
            Ok(stored
                .into_iter()
                .map(|(import, outcome)| {
                    let (id, already_imported) = match outcome {
                        ImportOutcome::Stored(id) => (id, false),
                        ImportOutcome::AlreadyImported(id) => (id, true),
                    };
                    Imported {
                        id,
                        already_imported,
                        period: import.period,
                        kind: import.kind.as_str().to_string(),
                        source: import.source,
                        file_name: import.file_name,
                        rows: import.rows,
                    }
                })
                .collect())
        })
    }

    fn run_period<'a>(
        &'a self,
        period: Option<&'a str>,
        actor: &'a str,
    ) -> ActionFuture<'a, RunStarted> {
        Box::pin(async move {
            let request = PeriodRunRequest {
                period: period.map(str::to_string),
                as_of: None,
                stale_days: self.stale_days,
                strict: false,
                actor: actor.to_string(),
            };
            let workspace = Arc::clone(&self.workspace);
            // The reconciliation borrows across its awaits and is not
            // `Send`: it runs on a blocking thread, driven by this runtime.
            let handle = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || {
                let mut warnings = Vec::new();
                let stored = handle.block_on(run_period(
                    &workspace,
                    &request,
                    &mut |_, _, found, _, _, _| {
                        warnings = found.to_vec();
                        Ok(())
                    },
                ))?;
                Ok::<_, anyhow::Error>(RunStarted {
                    run_id: stored.run_id,
                    period: stored.period,
                    finding_count: stored.finding_count as u64,
                    warnings,
                })
            })
            .await
            .map_err(joined)?
            .map_err(action_error)
        })
    }
}
