//! The one-time setup: while no user exists, anyone who reaches the app can
//! create the first admin (and is signed in as it). Once a user exists the
//! page is gone (404).

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};
use reckon_store::{NewUser, Role, StoreError, UserStore};

use crate::auth::Fields;
use crate::error::{WebError, WebResult};
use crate::pages::layout::bare;
use crate::pages::sign_in::start_session;
use crate::secrets::{check_new_password, hash_password};
use crate::state::{AppState, now};

fn form(name: &str, message: Option<&str>) -> Markup {
    bare(
        "Set up reckon",
        html! {
            div.signin {
                div.panel {
                    h1 { "Set up reckon" }
                    p.sub { "Create the first admin. This page works only until a user exists." }
                    @if let Some(message) = message {
                        div.flash.error role="alert" { (message) }
                    }
                    form method="post" action="/setup" {
                        label { "Admin name" input name="name" value=(name) autocomplete="username" required autofocus; }
                        label { "Password (at least 10 characters)" input name="password" type="password" autocomplete="new-password" required; }
                        label { "Password again" input name="password_again" type="password" autocomplete="new-password" required; }
                        button type="submit" { "Create admin and sign in" }
                    }
                }
            }
        },
    )
}

async fn refuse_after_setup(state: &AppState) -> WebResult<()> {
    if state.store().user_count().await? > 0 {
        return Err(WebError::NotFound);
    }
    Ok(())
}

pub async fn page(State(state): State<AppState>) -> WebResult<Response> {
    refuse_after_setup(&state).await?;
    Ok(Html(form("", None).into_string()).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    Form(fields): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    refuse_after_setup(&state).await?;
    let fields = Fields(fields);
    let name = fields.text("name");
    let password = fields.get("password").unwrap_or("").to_string();
    let problem = if name.is_empty() {
        Some("Give the admin a name.".to_string())
    } else if password != fields.get("password_again").unwrap_or("") {
        Some("The two passwords differ.".to_string())
    } else {
        check_new_password(&password).err()
    };
    if let Some(problem) = problem {
        return Ok((
            StatusCode::BAD_REQUEST,
            Html(form(&name, Some(&problem)).into_string()),
        )
            .into_response());
    }
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| WebError::Internal(format!("password hash: {e}")))??;
    let new_user = NewUser {
        name: name.clone(),
        password_hash: hash,
        role: Role::Admin,
        created_at: now(),
        created_by: "setup page".to_string(),
    };
    match state.store().add_user(&new_user, true).await {
        Ok(_) => {}
        // Someone else finished setup first.
        Err(StoreError::Conflict(_)) => return Err(WebError::NotFound),
        Err(other) => return Err(other.into()),
    }
    let user = state
        .store()
        .user_by_name(&name)
        .await?
        .ok_or_else(|| WebError::Internal("the new admin is not stored".to_string()))?;
    tracing::info!(user = %name, "first admin created on the setup page");
    start_session(&state, &user, "/").await
}
