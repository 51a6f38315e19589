//! `reckon serve [--bind ADDR:PORT] [--demo]`: the web review app on the
//! workspace's store.

use std::io::Write;

use anyhow::{Context, Result};
use reckon_store::{NewUser, Role, UserStore};
use reckon_web::{AppState, WebConfig};

use crate::cli::{ImportArgs, RunArgs, ServeArgs, WorkspaceArgs};
use crate::commands::{run, workspace_commands};
use crate::workspace::{self, runtime};

/// The demo's sign-in name.
const DEMO_USER: &str = "demo";

pub fn serve(args: &ServeArgs) -> Result<()> {
    // The demo workspace lives as long as the server.
    let demo_dir = if args.demo {
        Some(tempfile::tempdir().context("cannot make a temporary directory for the demo")?)
    } else {
        None
    };
    let workspace_dir = match &demo_dir {
        Some(dir) => prepare_demo(dir.path())?,
        None => workspace::locate(args.workspace.workspace.as_deref())?,
    };
    let runtime = runtime()?;
    let workspace = runtime.block_on(workspace::open(
        &workspace_dir,
        if args.demo {
            None
        } else {
            args.workspace.database_url.as_deref()
        },
    ))?;
    let store = workspace.store.clone();
    let mut out = std::io::stdout().lock();
    if args.demo {
        let password = reckon_web::secrets::new_token("")
            .chars()
            .take(16)
            .collect::<String>();
        let hash =
            reckon_web::secrets::hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
        runtime.block_on(store.add_user(
            &NewUser {
                name: DEMO_USER.to_string(),
                password_hash: hash,
                role: Role::Admin,
                created_at: run::now(),
                created_by: "reckon serve --demo".to_string(),
            },
            true,
        ))?;
        writeln!(
            out,
            "\nreckon demo: http://{}\n  sign in as {DEMO_USER} with the password {password}\n  (a temporary workspace in {}, removed when the server stops)",
            args.bind,
            workspace_dir.display()
        )?;
    } else {
        let users = runtime.block_on(store.user_count())?;
        writeln!(
            out,
            "reckon: http://{} (workspace {})",
            args.bind,
            workspace_dir.display()
        )?;
        if users == 0 {
            writeln!(
                out,
                "  no user yet: open http://{}/setup to create the first admin, or run `reckon user add NAME --admin`",
                args.bind
            )?;
        }
    }
    writeln!(out, "Press Ctrl-C to stop.")?;
    drop(out);
    let registry = reckon_sources::profiles::Registry::builtin().with_custom(
        crate::custom_profiles::load(crate::custom_profiles::profiles_dir(None).as_deref())?,
    );
    let staging_dir = workspace.dir.join("uploads");
    let workspace = std::sync::Arc::new(workspace);
    let state = AppState::new(
        store.clone(),
        WebConfig {
            secure_cookies: args.https,
            trusted_proxy: args.trusted_proxy,
            ..WebConfig::default()
        },
    )
    .with_actions(std::sync::Arc::new(
        crate::web_actions::WorkspaceWebActions::new(std::sync::Arc::clone(&workspace), registry),
    ))
    .with_staging_dir(staging_dir)
    .with_mapping_actions(std::sync::Arc::new(
        crate::web_actions::mapping::WebMapping::new(store),
    ));
    runtime
        .block_on(reckon_web::serve(&args.bind, state))
        .with_context(|| format!("cannot serve on {}", args.bind))?;
    runtime.block_on(workspace.store.close());
    drop(demo_dir);
    Ok(())
}

/// A workspace with the demo data imported for two months (September with
/// one line billed lower, October as the demo has it) and both run.
fn prepare_demo(root: &std::path::Path) -> Result<std::path::PathBuf> {
    let workspace_dir = root.join("workspace");
    let september = root.join("2026-09");
    let october = root.join("2026-10");
    for dir in [&september, &october] {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    for &(name, text) in crate::demo::FILES {
        std::fs::write(october.join(name), text)?;
        let earlier = match name {
            "usage.csv" => text.replace("2026-10-", "2026-09-"),
            "billing.csv" => text.replacen(",M365-BP,38,", ",M365-BP,36,", 1),
            _ => text.to_string(),
        };
        std::fs::write(september.join(name), earlier)?;
    }
    let workspace_args = || WorkspaceArgs {
        workspace: Some(workspace_dir.clone()),
        database_url: None,
        user: Some("demo".to_string()),
    };
    workspace_commands::init(&crate::cli::InitArgs {
        dir: Some(workspace_dir.clone()),
        database_url: None,
    })?;
    for (period, dir) in [("2026-09", &september), ("2026-10", &october)] {
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        files.sort();
        workspace_commands::import(&ImportArgs {
            files,
            period: Some(period.to_string()),
            profiles_dir: None,
            workspace: workspace_args(),
        })?;
        run::run(&RunArgs {
            data: None,
            period: Some(period.to_string()),
            as_of: None,
            stale_days: 30,
            out: None,
            threads: None,
            top: 0,
            strict: false,
            workspace: workspace_args(),
        })?;
    }
    Ok(workspace_dir)
}
