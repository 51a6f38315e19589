//! The one-time setup: while no user exists, anyone who reaches the app can
//! create the first admin (and is signed in as it). Once a user exists the
//! page is gone (404).

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};
use reckon_store::{NewUser, Role, StoreError, UserStore};

use crate::auth::{Fields, cookie};
use crate::error::{WebError, WebResult};
use crate::pages::layout::bare;
use crate::pages::sign_in::start_session;
use crate::secrets::{check_new_password, hash_password, new_token, same_secret};
use crate::state::{AppState, now};

/// The setup form's CSRF token lives in this cookie (SameSite=Strict, so
/// another site cannot post the form with it) and in the form.
const SETUP_COOKIE: &str = "reckon_setup";

fn form(name: &str, csrf: &str, message: Option<&str>) -> Markup {
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
                        input type="hidden" name="csrf" value=(csrf);
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

/// The form with a fresh token, set in the cookie too.
fn form_response(status: StatusCode, name: &str, message: Option<&str>) -> WebResult<Response> {
    let token = new_token("");
    let mut response = (status, Html(form(name, &token, message).into_string())).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        format!("{SETUP_COOKIE}={token}; Path=/setup; HttpOnly; SameSite=Strict; Max-Age=3600")
            .parse()
            .map_err(|_| WebError::Internal("cookie header".to_string()))?,
    );
    Ok(response)
}

pub async fn page(State(state): State<AppState>) -> WebResult<Response> {
    refuse_after_setup(&state).await?;
    form_response(StatusCode::OK, "", None)
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    refuse_after_setup(&state).await?;
    let fields = Fields(fields);
    // While no user exists this form creates an admin: only a post made
    // from the form this browser was given counts.
    let expected = cookie(&headers, SETUP_COOKIE).unwrap_or("");
    if expected.is_empty() || !same_secret(expected, fields.get("csrf").unwrap_or("")) {
        return Err(WebError::Csrf);
    }
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
        return form_response(StatusCode::BAD_REQUEST, &name, Some(&problem));
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
