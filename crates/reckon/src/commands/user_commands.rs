//! `reckon user add|list` and `reckon token add|list`: who may use the web
//! app and the API. Passwords and tokens are kept only as hashes; every
//! change is in the audit trail.

use std::io::Write;

use anyhow::Result;
use reckon_store::{NewApiToken, NewUser, Role, UserStore};
use reckon_web::secrets::{check_new_password, hash_password, new_token, token_hash};

use crate::cli::{TokenCommand, UserAddArgs, UserCommand};
use crate::commands::run::now;
use crate::error::UserError;
use crate::workspace::{actor, runtime};

use crate::workspace::open_from_args as open;

fn role(text: &str) -> Result<Role> {
    Role::parse(text).ok_or_else(|| {
        UserError(format!("--role {text}: expected admin, reviewer or viewer")).into()
    })
}

/// The new password: $RECKON_PASSWORD, else typed twice (not echoed).
fn new_password(name: &str) -> Result<String> {
    let password = match std::env::var("RECKON_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            let first =
                rpassword::prompt_password(format!("Password for {name}: ")).map_err(|e| {
                    UserError(format!(
                        "cannot read a password: {e} (or set RECKON_PASSWORD)"
                    ))
                })?;
            let second = rpassword::prompt_password("The same password again: ")
                .map_err(|e| UserError(format!("cannot read a password: {e}")))?;
            if first != second {
                return Err(UserError("the two passwords differ".to_string()).into());
            }
            first
        }
    };
    check_new_password(&password).map_err(UserError)?;
    Ok(password)
}

/// `reckon user ...`.
pub fn user(command: &UserCommand) -> Result<()> {
    match command {
        UserCommand::Add(args) => add_user(args),
        UserCommand::List(args) => {
            let runtime = runtime()?;
            let workspace = open(&args.workspace, &runtime)?;
            let users = runtime.block_on(workspace.store.users())?;
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "name                 role      created               state"
            )?;
            for user in users {
                writeln!(
                    out,
                    "{:<20} {:<9} {:<21} {}",
                    user.name,
                    user.role.as_str(),
                    user.created_at,
                    if user.disabled { "disabled" } else { "active" }
                )?;
            }
            Ok(())
        }
    }
}

fn add_user(args: &UserAddArgs) -> Result<()> {
    let role = if args.admin {
        Role::Admin
    } else {
        role(args.role.as_deref().unwrap_or(""))?
    };
    let runtime = runtime()?;
    let workspace = open(&args.workspace, &runtime)?;
    if runtime
        .block_on(workspace.store.user_by_name(args.name.trim()))?
        .is_some()
    {
        return Err(UserError(format!("a user named {} exists already", args.name.trim())).into());
    }
    let password = new_password(&args.name)?;
    let hash = hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    runtime.block_on(workspace.store.add_user(
        &NewUser {
            name: args.name.trim().to_string(),
            password_hash: hash,
            role,
            created_at: now(),
            created_by: actor(args.workspace.user.as_deref()),
        },
        false,
    ))?;
    println!(
        "Added {} ({}): sign in with `reckon serve`",
        args.name.trim(),
        role.as_str()
    );
    runtime.block_on(workspace.store.close());
    Ok(())
}

/// `reckon token ...`.
pub fn token(command: &TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Add(args) => {
            let role = role(&args.role)?;
            let runtime = runtime()?;
            let workspace = open(&args.workspace, &runtime)?;
            let token = new_token("rkt_");
            runtime.block_on(workspace.store.add_api_token(&NewApiToken {
                name: args.name.trim().to_string(),
                token_hash: token_hash(&token),
                role,
                created_by: actor(args.workspace.user.as_deref()),
                created_at: now(),
            }))?;
            println!("{token}");
            eprintln!(
                "API token {} ({}): shown once, kept only as a hash. Send it as `Authorization: Bearer <token>`.",
                args.name.trim(),
                role.as_str()
            );
            runtime.block_on(workspace.store.close());
            Ok(())
        }
        TokenCommand::List(args) => {
            let runtime = runtime()?;
            let workspace = open(&args.workspace, &runtime)?;
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "name                 role      created by  created at            last used"
            )?;
            for token in runtime.block_on(workspace.store.api_tokens())? {
                writeln!(
                    out,
                    "{:<20} {:<9} {:<11} {:<21} {}",
                    token.name,
                    token.role.as_str(),
                    token.created_by,
                    token.created_at,
                    token.last_used_at.as_deref().unwrap_or("never")
                )?;
            }
            Ok(())
        }
    }
}
