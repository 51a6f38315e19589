//! The API of imports and runs: list and upload imports (or preview an
//! upload), start a run, a run with its comparison, and a run's downloads.

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use reckon_store::{ImportRecord, RunStore, Store};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::actions::{FileCheck, ImportCheck};
use crate::auth::{Reviewer, Signed};
use crate::downloads::{ExportQuery, export as export_run};
use crate::error::{WebError, WebResult};
use crate::pages::imports::earlier_imports;
use crate::pages::runs::{compare_with_previous, comparison_json, start_run};
use crate::state::AppState;
use crate::uploads::read_upload;

fn import_json(import: &ImportRecord) -> Value {
    json!({
        "id": import.id,
        "period": import.period,
        "kind": import.kind.as_str(),
        "source": import.source,
        "file_name": import.file_name,
        "file_hash": import.file_hash,
        "rows": import.rows,
        "newest_seen": import.newest_seen,
        "imported_at": import.imported_at,
        "imported_by": import.imported_by,
    })
}

/// `GET /api/imports`: every import, oldest first.
pub async fn imports(State(state): State<AppState>, _: Signed) -> WebResult<Json<Value>> {
    let imports = state.store().imports(None).await?;
    Ok(Json(
        json!({ "imports": imports.iter().map(import_json).collect::<Vec<_>>() }),
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct UploadQuery {
    #[serde(default)]
    preview: Option<String>,
    #[serde(default)]
    period: Option<String>,
}

fn file_check_json(file: &FileCheck, all: &[ImportRecord]) -> Value {
    json!({
        "file_name": file.file_name,
        "file_hash": file.file_hash,
        "error": file.error,
        "recognised": file.recognised.iter().map(|part| json!({
            "profile": part.profile,
            "part": part.part,
            "reason": part.reason,
            "rows_read": part.rows_read,
            "rows_used": part.rows_used,
            "skipped": part.skipped.iter().map(|(reason, count)| json!({ "reason": reason, "rows": count })).collect::<Vec<_>>(),
            "problems": part.problems,
            "unreadable": part.unreadable,
        })).collect::<Vec<_>>(),
        "notes": file.notes,
        "snapshots": file.snapshots.iter().map(|s| json!({
            "kind": s.kind, "source": s.source, "rows": s.rows, "newest_seen": s.newest_seen,
        })).collect::<Vec<_>>(),
        "already_imported": earlier_imports(file, all).iter().map(|i| i.id).collect::<Vec<_>>(),
    })
}

/// The preview as the API gives it.
pub fn check_json(check: &ImportCheck, all: &[ImportRecord]) -> Value {
    json!({
        "period": check.period.as_ref().ok(),
        "period_error": check.period.as_ref().err(),
        "importable": check.period.is_ok() && check.files.iter().all(|f| f.error.is_none()),
        "files": check.files.iter().map(|f| file_check_json(f, all)).collect::<Vec<_>>(),
    })
}

/// `POST /api/imports` (multipart, files in any field; `period` as a field
/// or in the query): stores them (reviewer or admin), or with
/// `?preview=true` says what it would store.
pub async fn upload(
    State(state): State<AppState>,
    Signed(principal, _): Signed<Reviewer>,
    Query(query): Query<UploadQuery>,
    multipart: Multipart,
) -> WebResult<Json<Value>> {
    let actions = state.actions()?;
    let upload = read_upload(multipart, state.config().max_upload_bytes).await?;
    if upload.files.is_empty() {
        return Err(WebError::BadRequest(
            "no file in the upload: send each as a multipart part with a file name".to_string(),
        ));
    }
    let period = query
        .period
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .or(upload.field("period"));
    let preview = matches!(query.preview.as_deref(), Some("true" | "1" | "yes"));
    if preview {
        let check = actions.check_import(&upload.files, period).await?;
        let all = state.store().imports(None).await?;
        return Ok(Json(check_json(&check, &all)));
    }
    let imported = actions
        .import(&upload.files, period, &principal.name)
        .await?;
    Ok(Json(json!({
        "stored": imported.iter().filter(|i| !i.already_imported).count(),
        "imports": imported.iter().map(|i| json!({
            "id": i.id,
            "already_imported": i.already_imported,
            "period": i.period,
            "kind": i.kind,
            "source": i.source,
            "file_name": i.file_name,
            "rows": i.rows,
        })).collect::<Vec<_>>(),
    })))
}

/// The body of `POST /api/runs`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StartRun {
    period: Option<String>,
}

/// `POST /api/runs`: run a period (reviewer or admin).
pub async fn start(
    State(state): State<AppState>,
    Signed(principal, _): Signed<Reviewer>,
    Json(body): Json<StartRun>,
) -> WebResult<Json<Value>> {
    let period = body
        .period
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let started = start_run(&state, period, &principal.name).await?;
    Ok(Json(json!({
        "id": started.run_id,
        "period": started.period,
        "finding_count": started.finding_count,
        "warnings": started.warnings,
    })))
}

/// `GET /api/runs/{id}`: a run with its comparison with the previous one.
pub async fn run(
    State(state): State<AppState>,
    _: Signed,
    Path(id): Path<i64>,
) -> WebResult<Json<Value>> {
    let run = state.store().run(id).await?;
    let comparison = compare_with_previous(&state, &run).await?;
    Ok(Json(json!({
        "id": run.id,
        "period": run.period,
        "as_of": run.as_of,
        "created_at": run.created_at,
        "created_by": run.created_by,
        "finding_count": run.finding_count,
        "pairs": run.pairs,
        "inputs": run.inputs,
        "underbilled_per_month": run.underbilled,
        "overbilled_per_month": run.overbilled,
        "comparison": comparison_json(&comparison),
    })))
}

/// `GET /api/runs/{id}/export?format=...`: a run's report as a download.
pub async fn export(
    State(state): State<AppState>,
    _: Signed,
    Path(id): Path<i64>,
    Query(query): Query<ExportQuery>,
) -> WebResult<Response> {
    state.store().run(id).await?;
    export_run(&state, id, &query).await
}
