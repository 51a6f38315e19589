//! Imports: upload export files, see what was recognised in each, import
//! them (or cancel), and the list of what is imported.

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use reckon_store::{ImportRecord, Role, Store};

use crate::actions::{FileCheck, ImportCheck, Imported};
use crate::auth::{Principal, Reviewer, Signed, SignedForm};
use crate::error::{WebError, WebResult};
use crate::pages::layout::{Nav, PeriodChoice, page as layout};
use crate::pages::runs::when;
use crate::state::AppState;
use crate::uploads::{discard, read_upload, size_text, stage, staged_files};

/// Earlier imports of the same bytes: (import id, period, kind, source).
pub fn earlier_imports<'a>(check: &FileCheck, all: &'a [ImportRecord]) -> Vec<&'a ImportRecord> {
    all.iter()
        .filter(|import| import.file_hash == check.file_hash)
        .collect()
}

fn no_periods() -> PeriodChoice {
    PeriodChoice::default()
}

async fn imports_page(
    state: &AppState,
    principal: &Principal,
    notice: Option<Markup>,
) -> WebResult<Markup> {
    let imports = state.store().imports(None).await?;
    let content = html! {
        h1 { "Imports" }
        p.sub { "The exports each period is reconciled from. A run uses the latest import of each feed of its period." }
        @if let Some(notice) = notice { (notice) }
        @if principal.may(Role::Reviewer) {
            div.panel {
                h2 { "Upload exports" }
                form method="post" action="/imports" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(principal.csrf());
                    div.form-grid {
                        label { "Files (CSV, XLSX or JSON; canonical files such as usage.csv by their name)"
                            input type="file" name="files" multiple required accept=".csv,.xlsx,.json,.toml,.txt"; }
                        label { "Period (YYYY-MM; default: the month of the newest last-seen date)"
                            input type="text" name="period" placeholder="2026-10" pattern="[0-9]{4}-[0-9]{2}"; }
                    }
                    p { button type="submit" { "Upload and preview" } }
                    p.sub { "Up to " (size_text(state.config().max_upload_bytes)) " in all. Nothing is stored before you confirm the preview." }
                }
            }
        }
        div.panel {
            h2 { "Imported" }
            @if imports.is_empty() {
                p.empty { "Nothing is imported yet." }
            } @else {
                table {
                    thead { tr {
                        th { "Import" } th { "Period" } th { "Kind" } th { "Source" } th { "File" }
                        th.num { "Rows" } th { "By" } th { "When" }
                    } }
                    tbody {
                        @for import in imports.iter().rev() {
                            tr {
                                td { (import.id) }
                                td { (import.period) }
                                td { (import.kind.as_str()) }
                                td { (import.source) }
                                td.mono { (import.file_name) }
                                td.num { (import.rows) }
                                td { (import.imported_by) }
                                td { (when(&import.imported_at)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(
        "Imports",
        principal,
        Nav::Imports,
        &no_periods(),
        content,
    ))
}

/// `GET /imports`.
pub async fn page(
    State(state): State<AppState>,
    Signed(principal, _): Signed,
) -> WebResult<Markup> {
    imports_page(&state, &principal, None).await
}

/// `POST /imports` (multipart): the files are staged and their preview
/// shown at its own address.
pub async fn upload(
    State(state): State<AppState>,
    Signed(principal, _): Signed<Reviewer>,
    multipart: Multipart,
) -> WebResult<Response> {
    let upload = read_upload(multipart, state.config().max_upload_bytes).await?;
    let sent = upload.field("csrf").unwrap_or("");
    if principal.csrf().is_empty() || !crate::secrets::same_secret(sent, principal.csrf()) {
        return Err(WebError::Csrf);
    }
    state.actions()?;
    if upload.files.is_empty() {
        return Err(WebError::BadRequest(
            "choose at least one file to upload".to_string(),
        ));
    }
    let period = upload.field("period");
    let token = stage(state.staging_dir(), &principal.name, period, &upload.files).await?;
    Ok(Redirect::to(&format!("/imports/staged/{token}")).into_response())
}

/// `GET /imports/staged/{token}`: what the staged files would give.
pub async fn preview(
    State(state): State<AppState>,
    Signed(principal, _): Signed<Reviewer>,
    Path(token): Path<String>,
) -> WebResult<Markup> {
    let (meta, files) = staged_files(state.staging_dir(), &token, &principal.name).await?;
    let check = state
        .actions()?
        .check_import(&files, meta.period.as_deref())
        .await?;
    let all = state.store().imports(None).await?;
    let importable = check.period.is_ok() && check.files.iter().all(|f| f.error.is_none());
    let content = html! {
        h1 { "Preview of the upload" }
        p.sub { "Uploaded at " (when(&meta.uploaded_at)) ". Nothing is stored yet." }
        (check_summary(&check, &all))
        div.panel {
            form method="post" action=(format!("/imports/staged/{token}")) {
                input type="hidden" name="csrf" value=(principal.csrf());
                @if importable {
                    button type="submit" name="action" value="import" { "Import" } " "
                } @else {
                    p.flash.error { "Nothing can be imported until every file is recognised: cancel, fix or leave out the file, and upload again." }
                }
                button.secondary type="submit" name="action" value="cancel" { "Cancel" }
            }
        }
    };
    Ok(layout(
        "Preview",
        &principal,
        Nav::Imports,
        &no_periods(),
        content,
    ))
}

/// The per-file account of a preview.
pub fn check_summary(check: &ImportCheck, all: &[ImportRecord]) -> Markup {
    html! {
        @match &check.period {
            Ok(period) => div.panel { "Period: " b { (period) } },
            Err(why) => div.flash.error { "Period: " (why) },
        }
        @for file in &check.files {
            div.panel {
                h2 { span.mono { (file.file_name) } }
                @if let Some(error) = &file.error {
                    p.flash.error { (error) }
                }
                @for earlier in earlier_imports(file, all) {
                    p.flash { "Already imported as import " (earlier.id) " (" (earlier.kind.as_str()) " " (earlier.source) " for " (earlier.period) ", by " (earlier.imported_by) "): importing it again stores nothing twice." }
                }
                @if file.recognised.is_empty() && file.error.is_none() {
                    p { "A canonical file, read as it is." }
                }
                @for part in &file.recognised {
                    dl.facts {
                        dt { "Source profile" } dd { b { (part.profile) } " · part " (part.part) }
                        dt { "Why" } dd { (part.reason) }
                        dt { "Rows" } dd { (part.rows_read) " read, " (part.rows_used) " used, " (part.rows_read.saturating_sub(part.rows_used)) " skipped" }
                        @for (reason, count) in &part.skipped {
                            dt { "Skipped" } dd { (count) " " (reason) }
                        }
                        @if part.unreadable > 0 {
                            dt { "Unreadable" } dd { (part.unreadable) " row(s)" }
                        }
                        @for problem in &part.problems {
                            dt { "Problem" } dd { (problem) }
                        }
                    }
                }
                @for note in &file.notes {
                    p.sub { (note) }
                }
                @if !file.snapshots.is_empty() {
                    table {
                        thead { tr { th { "Would store" } th { "Source" } th.num { "Rows" } th { "Newest last seen" } } }
                        tbody {
                            @for snapshot in &file.snapshots {
                                tr {
                                    td { (snapshot.kind) }
                                    td { (snapshot.source) }
                                    td.num { (snapshot.rows) }
                                    td { (snapshot.newest_seen.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `POST /imports/staged/{token}`: import (`action=import`) or cancel.
pub async fn decide(
    State(state): State<AppState>,
    Path(token): Path<String>,
    form: SignedForm<Reviewer>,
) -> WebResult<Response> {
    let principal = &form.principal;
    match form.fields.text("action").as_str() {
        "cancel" => {
            // Only the uploader's own upload is discarded.
            crate::uploads::staged_meta(state.staging_dir(), &token, &principal.name).await?;
            discard(state.staging_dir(), &token).await?;
            Ok(Redirect::to("/imports").into_response())
        }
        "import" => {
            let (meta, files) = staged_files(state.staging_dir(), &token, &principal.name).await?;
            let imported = state
                .actions()?
                .import(&files, meta.period.as_deref(), &principal.name)
                .await?;
            discard(state.staging_dir(), &token).await?;
            let notice = imported_notice(&imported);
            Ok(imports_page(&state, principal, Some(notice))
                .await?
                .into_response())
        }
        other => Err(WebError::BadRequest(format!(
            "action {other:?}: expected import or cancel"
        ))),
    }
}

fn imported_notice(imported: &[Imported]) -> Markup {
    let stored = imported.iter().filter(|i| !i.already_imported).count();
    html! {
        div.flash {
            "Stored " (stored) " snapshot" (if stored == 1 { "" } else { "s" }) "."
            @for import in imported {
                br;
                @if import.already_imported {
                    "Already imported as import " (import.id) ": " (import.kind) " " (import.source) " from " (import.file_name) " (not counted twice)."
                } @else {
                    "Import " (import.id) ": " (import.kind) " " (import.source) " from " (import.file_name) " for " (import.period) ", " (import.rows) " rows."
                }
            }
            " " a href="/runs" { "Start a run" }
        }
    }
}
