//! `reckon init`, `import`, `imports` and `audit`: the workspace's store.

use std::io::Write;

use anyhow::Result;
use reckon_sources::profiles::Registry;
use reckon_store::{DEFAULT_CURRENCY, ImportOutcome, SETTINGS, Store};

use crate::cli::{AuditArgs, ConfigArgs, ImportArgs, ImportsArgs, InitArgs};
use crate::custom_profiles;
use crate::importing::{ImportRequest, import_files};
use crate::workspace::{self, actor, runtime};

use crate::workspace::open_from_args as open;

/// `reckon init [DIR]`.
pub fn init(args: &InitArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => std::env::current_dir()?,
    };
    let runtime = runtime()?;
    let workspace = runtime.block_on(workspace::init(&dir, args.database_url.as_deref()))?;
    println!(
        "Created a reckon workspace in {} (database: {})",
        workspace.dir.display(),
        workspace.config.database_url
    );
    println!(
        "Next: reckon import FILES... --workspace {}",
        workspace.dir.display()
    );
    runtime.block_on(workspace.store.close());
    Ok(())
}

/// `reckon import FILE... [--period]`.
pub fn import(args: &ImportArgs) -> Result<()> {
    let runtime = runtime()?;
    let workspace = open(&args.workspace, &runtime)?;
    let dir = custom_profiles::profiles_dir(args.profiles_dir.as_deref());
    let registry = Registry::builtin().with_custom(custom_profiles::load(dir.as_deref())?);
    let request = ImportRequest {
        files: &args.files,
        period: args.period.clone(),
        actor: actor(args.workspace.user.as_deref()),
        now: reckon_store::clock::now_instant(),
        registry: &registry,
    };
    let imported = runtime.block_on(import_files(&workspace, &request))?;
    let mut out = std::io::stdout().lock();
    let mut stored = 0;
    for (import, outcome) in &imported {
        match outcome {
            ImportOutcome::Stored(id) => {
                stored += 1;
                writeln!(
                    out,
                    "import {id}: {} {} from {} for {}, {} rows",
                    import.kind.as_str(),
                    import.source,
                    import.file_name,
                    import.period,
                    import.rows
                )?;
            }
            ImportOutcome::AlreadyImported(id) => writeln!(
                out,
                "already imported as import {id}: {} {} from {} for {} (not counted twice)",
                import.kind.as_str(),
                import.source,
                import.file_name,
                import.period
            )?,
        }
    }
    writeln!(
        out,
        "{stored} snapshots stored in {}",
        workspace.dir.display()
    )?;
    runtime.block_on(workspace.store.close());
    Ok(())
}

/// `reckon imports [--period]`.
pub fn imports(args: &ImportsArgs) -> Result<()> {
    let runtime = runtime()?;
    let workspace = open(&args.workspace, &runtime)?;
    let imports = runtime.block_on(workspace.store.imports(args.period.as_deref()))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "id  period   kind           source         rows  file (imported at, by)"
    )?;
    for import in imports {
        writeln!(
            out,
            "{:<3} {:<8} {:<14} {:<14} {:>5}  {} ({}, {})",
            import.id,
            import.period,
            import.kind.as_str(),
            import.source,
            import.rows,
            import.file_name,
            import.imported_at,
            import.imported_by
        )?;
    }
    runtime.block_on(workspace.store.close());
    Ok(())
}

/// `reckon audit [--entity]`.
pub fn audit(args: &AuditArgs) -> Result<()> {
    let runtime = runtime()?;
    let workspace = open(&args.workspace, &runtime)?;
    let entries = runtime.block_on(workspace.store.audit(args.entity.as_deref()))?;
    let mut out = std::io::stdout().lock();
    for entry in entries {
        writeln!(
            out,
            "{} {} {} {} {}: {} -> {}",
            entry.at,
            entry.actor,
            entry.entity,
            entry.entity_id,
            entry.field,
            entry.old_value.as_deref().unwrap_or("(none)"),
            entry.new_value.as_deref().unwrap_or("(none)")
        )?;
    }
    runtime.block_on(workspace.store.close());
    Ok(())
}

/// A setting's value when the workspace has none stored.
fn default_setting(workspace: &crate::workspace::Workspace, key: &str) -> String {
    match key {
        "import_stale_days" => workspace.config.import_stale_days.to_string(),
        "currency" => DEFAULT_CURRENCY.to_string(),
        _ => "(not set)".to_string(),
    }
}

/// Checks and normalises a value for `key` (the web's settings page uses
/// the same check).
fn setting_value(key: &str, value: &str) -> Result<String> {
    reckon_store::setting_value(key, value)
        .map_err(|message| crate::error::UserError(message).into())
}

/// `reckon config [KEY [VALUE]]`.
pub fn config(args: &ConfigArgs) -> Result<()> {
    let runtime = runtime()?;
    let workspace = open(&args.workspace, &runtime)?;
    let mut out = std::io::stdout().lock();
    match (&args.key, &args.value) {
        (None, _) => {
            for (key, about) in SETTINGS {
                let value = runtime
                    .block_on(workspace.store.setting(key))?
                    .unwrap_or_else(|| default_setting(&workspace, key));
                writeln!(out, "{key} = {value}    # {about}")?;
            }
        }
        (Some(key), None) => {
            let value = runtime.block_on(workspace.store.setting(key))?;
            writeln!(
                out,
                "{key} = {}",
                value.unwrap_or_else(|| default_setting(&workspace, key))
            )?;
        }
        (Some(key), Some(value)) => {
            let value = &setting_value(key, value)?;
            runtime.block_on(workspace.store.set_setting(
                key,
                value,
                &actor(args.workspace.user.as_deref()),
                &crate::commands::run::now(),
            ))?;
            writeln!(out, "{key} = {value} (recorded in the audit trail)")?;
        }
    }
    Ok(())
}
