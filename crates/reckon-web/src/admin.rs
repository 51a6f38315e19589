//! Users, API tokens and settings, for admins: shared by the admin pages
//! and the API. Every change goes through the store, audited.

use reckon_store::{NewApiToken, NewUser, Role, Store, UserStore};

use crate::error::{WebError, WebResult};
use crate::secrets::{check_new_password, hash_password, new_token, token_hash};
use crate::state::{AppState, now};

pub use reckon_store::{SETTINGS, setting_value};

/// Sets one setting (audited by the store).
pub async fn set_setting(state: &AppState, key: &str, value: &str, actor: &str) -> WebResult<()> {
    let value = setting_value(key, value).map_err(WebError::BadRequest)?;
    state
        .store()
        .set_setting(key, &value, actor, &now())
        .await?;
    Ok(())
}

pub fn parse_role(text: &str) -> WebResult<Role> {
    Role::parse(text).ok_or_else(|| {
        WebError::BadRequest(format!("role {text:?}: expected admin, reviewer or viewer"))
    })
}

fn user_name(text: &str) -> WebResult<String> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(WebError::BadRequest(
            "name: 1 to 100 characters, without control characters".to_string(),
        ));
    }
    Ok(name.to_string())
}

async fn hashed(password: String) -> WebResult<String> {
    check_new_password(&password).map_err(|e| WebError::BadRequest(format!("password: {e}")))?;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| WebError::Internal(format!("password hash: {e}")))?
}

/// Adds a user (audited).
pub async fn add_user(
    state: &AppState,
    name: &str,
    role: Role,
    password: String,
    actor: &str,
) -> WebResult<()> {
    let name = user_name(name)?;
    let password_hash = hashed(password).await?;
    state
        .store()
        .add_user(
            &NewUser {
                name,
                password_hash,
                role,
                created_at: now(),
                created_by: actor.to_string(),
            },
            false,
        )
        .await?;
    Ok(())
}

/// Resets a user's password (audited as changed).
pub async fn reset_password(
    state: &AppState,
    name: &str,
    password: String,
    actor: &str,
) -> WebResult<()> {
    let password_hash = hashed(password).await?;
    state
        .store()
        .set_password_hash(name, &password_hash, actor, &now())
        .await?;
    Ok(())
}

/// Changes a role; an admin may not take their own admin role away (the
/// last way in).
pub async fn set_role(state: &AppState, name: &str, role: Role, actor: &str) -> WebResult<()> {
    if name == actor && role != Role::Admin {
        return Err(WebError::BadRequest(
            "you cannot take away your own admin role: another admin can".to_string(),
        ));
    }
    state
        .store()
        .set_user_role(name, role, actor, &now())
        .await?;
    Ok(())
}

/// Disables or enables a user (never deletes); not oneself.
pub async fn set_disabled(
    state: &AppState,
    name: &str,
    disabled: bool,
    actor: &str,
) -> WebResult<()> {
    if name == actor && disabled {
        return Err(WebError::BadRequest(
            "you cannot disable yourself: another admin can".to_string(),
        ));
    }
    state
        .store()
        .set_user_disabled(name, disabled, actor, &now())
        .await?;
    Ok(())
}

/// Creates an API token; returns the token (shown once, only its hash is
/// kept).
pub async fn create_token(
    state: &AppState,
    name: &str,
    role: Role,
    actor: &str,
) -> WebResult<String> {
    let token = new_token("rkt_");
    state
        .store()
        .add_api_token(&NewApiToken {
            name: name.trim().to_string(),
            token_hash: token_hash(&token),
            role,
            created_by: actor.to_string(),
            created_at: now(),
        })
        .await?;
    Ok(token)
}

pub async fn revoke_token(state: &AppState, name: &str, actor: &str) -> WebResult<()> {
    state.store().revoke_api_token(name, actor, &now()).await?;
    Ok(())
}
