//! Where the user's custom profiles live, and loading them.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use reckon_sources::profiles::CustomProfile;

use crate::error::UserError;

/// `--profiles-dir`, else `$RECKON_PROFILES_DIR`, else
/// `$XDG_CONFIG_HOME/reckon/profiles`, else `~/.config/reckon/profiles`.
pub fn profiles_dir(given: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = given {
        return Some(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("RECKON_PROFILES_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(config) = std::env::var_os("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(config).join("reckon/profiles"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config/reckon/profiles"))
}

/// Every `*.toml` in the directory, checked; a missing directory is none.
pub fn load(dir: Option<&Path>) -> Result<Vec<CustomProfile>> {
    let Some(dir) = dir else {
        return Ok(Vec::new());
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", dir.display()));
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    paths.iter().map(|path| read_profile(path)).collect()
}

pub fn read_profile(path: &Path) -> Result<CustomProfile> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| UserError(format!("{}: cannot be read: {error}", path.display())))?;
    CustomProfile::parse(&text)
        .map_err(|error| UserError(format!("{}: {error}", path.display())).into())
}
