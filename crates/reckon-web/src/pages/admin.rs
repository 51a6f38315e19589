//! Admin pages: users (add, role, disable or enable, password reset; never
//! deleted), API tokens (create, shown once; revoke) and settings.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use reckon_store::{Role, Store, UserStore};
use serde::Deserialize;

use crate::admin::{
    SETTINGS, add_user, create_token, parse_role, reset_password, revoke_token, set_disabled,
    set_role, set_setting,
};
use crate::auth::{Admin, Principal, Signed, SignedForm};
use crate::error::{WebError, WebResult};
use crate::pages::layout::{Nav, PeriodChoice, page as layout};
use crate::pages::query_string;
use crate::state::AppState;

#[derive(Debug, Deserialize, Default)]
pub struct DoneParam {
    #[serde(default)]
    done: String,
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "added" => "The user is added.",
        "role" => "The role is changed.",
        "disabled" => "The user is disabled: their sessions ended.",
        "enabled" => "The user is enabled.",
        "password" => "The password is reset.",
        "revoked" => "The token is revoked.",
        "settings" => "The settings are saved.",
        _ => return None,
    })
}

fn role_select(name: &str, selected: Role) -> Markup {
    html! {
        select name=(name) aria-label="role" {
            @for role in Role::ALL {
                option value=(role.as_str()) selected[role == selected] { (role.as_str()) }
            }
        }
    }
}

/// A refused form, shown again: what to fix and what was typed.
#[derive(Debug, Default)]
struct Refused {
    problem: String,
    name: String,
    role: Option<Role>,
    token_form: bool,
}

async fn users_page(
    state: &AppState,
    principal: &Principal,
    flash: Option<&str>,
    new_token: Option<(&str, &str)>,
    refused: Option<&Refused>,
) -> WebResult<Markup> {
    let user_typed = refused.filter(|r| !r.token_form);
    let token_typed = refused.filter(|r| r.token_form);
    let users = state.store().users().await?;
    let tokens = state.store().api_tokens().await?;
    let csrf = principal.csrf();
    let content = html! {
        h1 { "Users and API tokens" }
        @if let Some(message) = flash { div.flash { (message) } }
        @if let Some(refused) = refused { div.flash.error { "Not done: " (refused.problem) } }
        @if let Some((name, token)) = new_token {
            div.flash {
                "The API token " b { (name) } " is made. Copy it now: it is not shown again."
                pre.mono { (token) }
            }
        }
        div.panel {
            h2 { "Users" }
            div.wide-table { table {
                thead { tr { th { "Name" } th { "Role" } th { "Created" } th { "State" } th { "Password" } } }
                tbody { @for user in &users {
                    @let base = format!("/admin/users/{}", crate::pages::url_encode(&user.name));
                    tr {
                        td { b { (user.name) } }
                        td { form.inline method="post" action=(format!("{base}/role")) {
                            input type="hidden" name="csrf" value=(csrf);
                            (role_select("role", user.role))
                            button.secondary type="submit" { "Change" }
                        } }
                        td.sub { (user.created_at) }
                        td { form.inline method="post" action=(format!("{base}/disabled")) {
                            input type="hidden" name="csrf" value=(csrf);
                            @if user.disabled {
                                span.badge { "disabled" } " "
                                input type="hidden" name="disabled" value="0";
                                button.secondary type="submit" { "Enable" }
                            } @else {
                                span.badge.counted { "active" } " "
                                input type="hidden" name="disabled" value="1";
                                button.secondary type="submit" { "Disable" }
                            }
                        } }
                        td { form.inline method="post" action=(format!("{base}/password")) {
                            input type="hidden" name="csrf" value=(csrf);
                            input type="password" name="password" placeholder="new password" aria-label="new password" autocomplete="new-password" size="14";
                            button.secondary type="submit" { "Reset" }
                        } }
                    }
                } }
            } }
            h2.spaced { "Add a user" }
            form method="post" action="/admin/users" {
                input type="hidden" name="csrf" value=(csrf);
                div.form-grid {
                    label { "Name" input name="name" required value=(user_typed.map_or("", |r| r.name.as_str())); }
                    label { "Role" (role_select("role", user_typed.and_then(|r| r.role).unwrap_or(Role::Viewer))) }
                    label { "Initial password" input type="password" name="password" autocomplete="new-password" required; }
                }
                p { button type="submit" { "Add user" } }
            }
        }
        div.panel {
            h2 { "API tokens" }
            @if tokens.is_empty() { p.empty { "No API token yet." } }
            @else { div.wide-table { table {
                thead { tr { th { "Name" } th { "Role" } th { "Created" } th { "Last used" } th { "" } } }
                tbody { @for token in &tokens { tr {
                    td { b { (token.name) } }
                    td { (token.role.as_str()) }
                    td.sub { (token.created_at) " by " (token.created_by) }
                    td.sub { (token.last_used_at.as_deref().unwrap_or("never")) }
                    td {
                        @if let Some(at) = &token.revoked_at { span.badge { "revoked " (at) } }
                        @else {
                            form.inline method="post" action=(format!("/admin/tokens/{}/revoke", crate::pages::url_encode(&token.name))) {
                                input type="hidden" name="csrf" value=(csrf);
                                button.secondary type="submit" { "Revoke" }
                            }
                        }
                    }
                } } }
            } } }
            h2.spaced { "Make a token" }
            form method="post" action="/admin/tokens" {
                input type="hidden" name="csrf" value=(csrf);
                div.form-grid {
                    label { "Name" input name="name" required placeholder="billing-script" value=(token_typed.map_or("", |r| r.name.as_str())); }
                    label { "Role" (role_select("role", token_typed.and_then(|r| r.role).unwrap_or(Role::Viewer))) }
                }
                p { button type="submit" { "Make token" } }
            }
        }
    };
    Ok(layout(
        "Users",
        principal,
        Nav::Users,
        &PeriodChoice::default(),
        content,
    ))
}

async fn refused_page(
    state: &AppState,
    principal: &Principal,
    refused: &Refused,
    status: axum::http::StatusCode,
) -> WebResult<Response> {
    let page = users_page(state, principal, None, None, Some(refused)).await?;
    Ok((status, page).into_response())
}

fn done(path: &str, what: &str) -> Response {
    Redirect::to(&format!(
        "{path}{}",
        query_string(&[("done", what.to_string())])
    ))
    .into_response()
}

/// `GET /admin/users`.
pub async fn users(
    State(state): State<AppState>,
    Signed(principal, _): Signed<Admin>,
    Query(params): Query<DoneParam>,
) -> WebResult<Markup> {
    users_page(&state, &principal, done_message(&params.done), None, None).await
}

/// `POST /admin/users`: add a user.
pub async fn add(State(state): State<AppState>, form: SignedForm<Admin>) -> WebResult<Response> {
    let fields = &form.fields;
    let role = parse_role(&fields.text("role"))?;
    let added = add_user(
        &state,
        &fields.text("name"),
        role,
        fields.get("password").unwrap_or("").to_string(),
        &form.principal.name,
    )
    .await;
    match added {
        Ok(()) => Ok(done("/admin/users", "added")),
        Err(error @ (WebError::BadRequest(_) | WebError::Conflict(_))) => {
            let refused = Refused {
                problem: error.to_string(),
                name: fields.text("name"),
                role: Some(role),
                token_form: false,
            };
            refused_page(&state, &form.principal, &refused, error.status()).await
        }
        Err(other) => Err(other),
    }
}

/// `POST /admin/users/{name}/role`.
pub async fn role(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: SignedForm<Admin>,
) -> WebResult<Response> {
    let role = parse_role(&form.fields.text("role"))?;
    set_role(&state, &name, role, &form.principal.name).await?;
    Ok(done("/admin/users", "role"))
}

/// `POST /admin/users/{name}/disabled`: `disabled=1` disables, `0` enables.
pub async fn disabled(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: SignedForm<Admin>,
) -> WebResult<Response> {
    let disable = form.fields.text("disabled") == "1";
    set_disabled(&state, &name, disable, &form.principal.name).await?;
    Ok(done(
        "/admin/users",
        if disable { "disabled" } else { "enabled" },
    ))
}

/// `POST /admin/users/{name}/password`.
pub async fn password(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: SignedForm<Admin>,
) -> WebResult<Response> {
    reset_password(
        &state,
        &name,
        form.fields.get("password").unwrap_or("").to_string(),
        &form.principal.name,
    )
    .await?;
    Ok(done("/admin/users", "password"))
}

/// `POST /admin/tokens`: the new token is shown on the answer, once.
pub async fn make_token(
    State(state): State<AppState>,
    form: SignedForm<Admin>,
) -> WebResult<Response> {
    let name = form.fields.text("name");
    let role = parse_role(&form.fields.text("role"))?;
    match create_token(&state, &name, role, &form.principal.name).await {
        Ok(token) => {
            let page =
                users_page(&state, &form.principal, None, Some((&name, &token)), None).await?;
            // The secret is on this page only: no cache keeps it.
            Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], page).into_response())
        }
        Err(error @ (WebError::BadRequest(_) | WebError::Conflict(_))) => {
            let refused = Refused {
                problem: error.to_string(),
                name,
                role: Some(role),
                token_form: true,
            };
            refused_page(&state, &form.principal, &refused, error.status()).await
        }
        Err(other) => Err(other),
    }
}

/// `POST /admin/tokens/{name}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: SignedForm<Admin>,
) -> WebResult<Response> {
    revoke_token(&state, &name, &form.principal.name).await?;
    Ok(done("/admin/users", "revoked"))
}

/// `GET /admin/settings`.
pub async fn settings(
    State(state): State<AppState>,
    Signed(principal, _): Signed<Admin>,
    Query(params): Query<DoneParam>,
) -> WebResult<Markup> {
    let mut values = Vec::new();
    for (key, about) in SETTINGS {
        values.push((key, about, state.store().setting(key).await?));
    }
    let content = html! {
        h1 { "Settings" }
        @if let Some(message) = done_message(&params.done) { div.flash { (message) } }
        div.panel {
            form method="post" action="/admin/settings" {
                input type="hidden" name="csrf" value=(principal.csrf());
                div.form-grid {
                    @for (key, about, value) in &values {
                        label { span.mono { (key) } input name=(key) value=(value.as_deref().unwrap_or("")) placeholder="the default"; span.sub { (about) } }
                    }
                }
                p { button type="submit" { "Save settings" } }
            }
        }
    };
    Ok(layout(
        "Settings",
        &principal,
        Nav::Settings,
        &PeriodChoice::default(),
        content,
    ))
}

/// `POST /admin/settings`: each key given and not empty is set.
pub async fn save_settings(
    State(state): State<AppState>,
    form: SignedForm<Admin>,
) -> WebResult<Response> {
    // Every value is checked before any is stored: all or nothing.
    for (key, _) in SETTINGS {
        let value = form.fields.text(key);
        if !value.is_empty() {
            crate::admin::setting_value(key, &value).map_err(crate::error::WebError::BadRequest)?;
        }
    }
    for (key, _) in SETTINGS {
        let value = form.fields.text(key);
        if !value.is_empty() {
            set_setting(&state, key, &value, &form.principal.name).await?;
        }
    }
    Ok(done("/admin/settings", "settings"))
}
