//! Uploaded export files: read from a multipart body (within the size
//! limit), and kept in a staging directory under a random token between the
//! preview and the import. The token never names a path: it is 64 hex
//! digits, checked before use, and the files inside are stored by number.

use std::path::{Path, PathBuf};

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use serde::{Deserialize, Serialize};

use crate::actions::UploadedFile;
use crate::error::{WebError, WebResult};

/// The largest upload taken by default, all files together
/// (`WebConfig::max_upload_bytes`).
pub const MAX_UPLOAD_BYTES: usize = 200 * 1024 * 1024;

/// A size as people read it: "200 MB", "512 KB".
pub fn size_text(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Staged uploads older than this are removed when the next one comes.
const STAGED_FOR_SECONDS: u64 = 24 * 60 * 60;

/// A multipart body's files and text fields.
#[derive(Debug, Default)]
pub struct Upload {
    pub files: Vec<UploadedFile>,
    pub fields: Vec<(String, String)>,
}

impl Upload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    }
}

fn multipart_error(error: MultipartError, limit: usize) -> WebError {
    if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        WebError::TooLarge(format!(
            "the upload is larger than {}: upload the files a few at a time, or import them with `reckon import`",
            size_text(limit)
        ))
    } else {
        WebError::BadRequest(format!(
            "the upload could not be read: {}",
            error.body_text()
        ))
    }
}

/// Reads every part: a part with a file name is a file (an empty file
/// input is passed over), any other a text field.
pub async fn read_upload(mut multipart: Multipart, limit: usize) -> WebResult<Upload> {
    let mut upload = Upload::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, limit))?
    {
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(|e| multipart_error(e, limit))?;
                let file_name = clean_name(&file_name);
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                if file_name.is_empty() {
                    return Err(WebError::BadRequest(
                        "an uploaded file has no name: its name tells what it is".to_string(),
                    ));
                }
                upload.files.push(UploadedFile {
                    name: file_name,
                    bytes: bytes.to_vec(),
                });
            }
            None => {
                let text = field.text().await.map_err(|e| multipart_error(e, limit))?;
                upload.fields.push((name, text));
            }
        }
    }
    Ok(upload)
}

/// A file's own name, without any folder a browser sent with it.
fn clean_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// What is kept with the staged files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StagedMeta {
    /// Who uploaded them: only they see and import them.
    pub owner: String,
    pub period: Option<String>,
    pub uploaded_at: String,
    pub names: Vec<String>,
}

/// Whether `token` is one this app made.
fn valid_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

fn io_error(what: &str, path: &Path, error: std::io::Error) -> WebError {
    WebError::Internal(format!("{what} {}: {error}", path.display()))
}

/// Keeps `files` under a new token in `base`.
pub async fn stage(
    base: &Path,
    owner: &str,
    period: Option<&str>,
    files: &[UploadedFile],
) -> WebResult<String> {
    remove_old(base).await;
    let token = crate::secrets::new_token("");
    let dir = base.join(&token);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| io_error("cannot create", &dir, e))?;
    for (index, file) in files.iter().enumerate() {
        let path = dir.join(index.to_string());
        tokio::fs::write(&path, &file.bytes)
            .await
            .map_err(|e| io_error("cannot write", &path, e))?;
    }
    let meta = StagedMeta {
        owner: owner.to_string(),
        period: period.map(str::to_string),
        uploaded_at: crate::state::now(),
        names: files.iter().map(|f| f.name.clone()).collect(),
    };
    let path = dir.join("meta.json");
    let text = serde_json::to_vec(&meta).map_err(|e| WebError::Internal(e.to_string()))?;
    tokio::fs::write(&path, text)
        .await
        .map_err(|e| io_error("cannot write", &path, e))?;
    Ok(token)
}

fn staged_dir(base: &Path, token: &str) -> WebResult<PathBuf> {
    if !valid_token(token) {
        return Err(WebError::NotFound);
    }
    Ok(base.join(token))
}

/// The staged upload's description, if `owner` staged it.
pub async fn staged_meta(base: &Path, token: &str, owner: &str) -> WebResult<StagedMeta> {
    let dir = staged_dir(base, token)?;
    let text = match tokio::fs::read(dir.join("meta.json")).await {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(WebError::NotFound);
        }
        Err(error) => return Err(io_error("cannot read", &dir, error)),
    };
    let meta: StagedMeta = serde_json::from_slice(&text)
        .map_err(|e| WebError::Internal(format!("{}: {e}", dir.display())))?;
    if meta.owner != owner {
        return Err(WebError::NotFound);
    }
    Ok(meta)
}

/// The staged files, if `owner` staged them.
pub async fn staged_files(
    base: &Path,
    token: &str,
    owner: &str,
) -> WebResult<(StagedMeta, Vec<UploadedFile>)> {
    let meta = staged_meta(base, token, owner).await?;
    let dir = staged_dir(base, token)?;
    let mut files = Vec::with_capacity(meta.names.len());
    for (index, name) in meta.names.iter().enumerate() {
        let path = dir.join(index.to_string());
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| io_error("cannot read", &path, e))?;
        files.push(UploadedFile {
            name: name.clone(),
            bytes,
        });
    }
    Ok((meta, files))
}

/// Removes a staged upload (after its import, or on cancel).
pub async fn discard(base: &Path, token: &str) -> WebResult<()> {
    let dir = staged_dir(base, token)?;
    match tokio::fs::remove_dir_all(&dir).await {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(io_error("cannot remove", &dir, error)),
    }
}

/// Removes staged uploads left for more than a day (a preview never
/// imported nor cancelled). Best effort: a failure only leaves files.
async fn remove_old(base: &Path) {
    let Ok(mut entries) = tokio::fs::read_dir(base).await else {
        return;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !valid_token(&name) {
            continue;
        }
        let old = entry
            .metadata()
            .await
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age.as_secs() > STAGED_FOR_SECONDS);
        if old && let Err(error) = tokio::fs::remove_dir_all(entry.path()).await {
            tracing::warn!(error = %error, "cannot remove an old staged upload");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_folders_and_tokens_are_checked() {
        assert_eq!(clean_name("C:\\exports\\usage.csv"), "usage.csv");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert!(!valid_token("../x"));
        assert!(valid_token(&"a".repeat(64)));
    }
}
