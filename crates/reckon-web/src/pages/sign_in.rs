//! Signing in and out. Failed sign-ins are counted per user name and per
//! client address; past the limit the answer is 429 until the window
//! passes.

use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use reckon_store::{Session, User, UserStore};
use serde::Deserialize;

use crate::auth::{ClientAddr, Fields, SignedForm, authenticate, session_cookie};
use crate::error::{WebError, WebResult};
use crate::pages::layout::bare;
use crate::pages::local_path;
use crate::secrets::{dummy_hash, new_token, token_hash, verify_password};
use crate::state::{AppState, in_hours, now};

#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    #[serde(default)]
    next: String,
}

fn form(next: &str, name: &str, message: Option<&str>) -> Markup {
    bare(
        "Sign in",
        html! {
            div.signin {
                div.panel {
                    h1 { "Sign in" }
                    p.sub { "Review this month's billing exceptions." }
                    @if let Some(message) = message {
                        div.flash.error role="alert" { (message) }
                    }
                    form method="post" action="/sign-in" {
                        input type="hidden" name="next" value=(next);
                        label { "Name" input name="name" value=(name) autocomplete="username" required autofocus; }
                        label { "Password" input name="password" type="password" autocomplete="current-password" required; }
                        button type="submit" { "Sign in" }
                    }
                }
            }
        },
    )
}

pub async fn page(
    State(state): State<AppState>,
    Query(query): Query<SignInQuery>,
    request: axum::extract::Request,
) -> WebResult<Response> {
    let (parts, _) = request.into_parts();
    if authenticate(&parts, &state).await?.is_some() {
        return Ok(Redirect::to(&local_path(&query.next, "/")).into_response());
    }
    if state.store().user_count().await? == 0 {
        return Ok(Redirect::to("/setup").into_response());
    }
    Ok(Html(form(&query.next, "", None).into_string()).into_response())
}

/// Starts a session for `user` and answers with its cookie, going to `next`.
pub async fn start_session(state: &AppState, user: &User, next: &str) -> WebResult<Response> {
    let token = new_token("rks_");
    state
        .store()
        .add_session(&Session {
            token_hash: token_hash(&token),
            user_id: user.id,
            csrf_token: new_token(""),
            created_at: now(),
            expires_at: in_hours(state.config().session_hours),
        })
        .await?;
    tracing::info!(user = %user.name, "signed in");
    let mut response = Redirect::to(&local_path(next, "/")).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(Some(&token), state)
            .parse()
            .map_err(|_| WebError::Internal("cookie header".to_string()))?,
    );
    Ok(response)
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(connected): ClientAddr,
    Form(fields): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let fields = Fields(fields);
    let name = fields.text("name");
    let password = fields.get("password").unwrap_or("").to_string();
    let next = fields.text("next");
    let keys = [
        format!("user:{}", name.to_lowercase()),
        format!(
            "addr:{}",
            connected.map_or_else(|| "unknown".to_string(), |addr| addr.to_string())
        ),
    ];
    if !state.limiter().attempt(&keys) {
        tracing::warn!("sign-in refused: too many attempts");
        let message = WebError::TooManyRequests.public_message();
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            Html(form(&next, &name, Some(&message)).into_string()),
        )
            .into_response());
    }
    let user = state
        .store()
        .user_by_name(&name)
        .await?
        .filter(|user| !user.disabled);
    let hash = user
        .as_ref()
        .map_or_else(|| dummy_hash().to_string(), |u| u.password_hash.clone());
    let permit = state
        .limiter()
        .checks
        .acquire()
        .await
        .map_err(|e| WebError::Internal(format!("password check: {e}")))?;
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| WebError::Internal(format!("password check: {e}")))?;
    drop(permit);
    match user {
        Some(user) if matches => {
            state.limiter().succeeded(&keys);
            start_session(&state, &user, &next).await
        }
        _ => {
            // The attempt was counted before the check.
            tracing::info!("sign-in failed");
            Ok((
                StatusCode::UNAUTHORIZED,
                Html(form(&next, &name, Some("Wrong name or password.")).into_string()),
            )
                .into_response())
        }
    }
}

pub async fn sign_out(State(state): State<AppState>, form: SignedForm) -> WebResult<Response> {
    if let crate::auth::Via::Session { token_hash, .. } = &form.principal.via {
        state.store().end_session(token_hash).await?;
    }
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(None, &state)
            .parse()
            .map_err(|_| WebError::Internal("cookie header".to_string()))?,
    );
    Ok(response)
}
