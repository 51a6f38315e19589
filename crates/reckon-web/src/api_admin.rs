//! The API of the mapping and admin pages: `/api/mappings` (admins change
//! them), `/api/users` and `/api/tokens` (admins only).

use axum::Json;
use axum::extract::{Query, State};
use reckon_store::{ApiToken, User, UserStore};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::admin::{
    add_user, create_token, parse_role, reset_password, revoke_token, set_disabled, set_role,
};
use crate::auth::{Admin, Signed};
use crate::error::{WebError, WebResult};
use crate::format::money;
use crate::mapping::{Unmapped, actions, check_period, latest_run, period_of, reject, required};
use crate::mapping_actions::{AcceptMapping, MappingKind};
use crate::state::AppState;

#[derive(Debug, Deserialize, Default)]
pub struct PeriodQuery {
    #[serde(default)]
    period: String,
}

fn unmapped_json(item: &Unmapped) -> Value {
    json!({
        "source": item.source,
        "external_id": item.external_id,
        "external_name": item.external_name,
        "rows": item.rows,
        "money_at_stake": money(item.money_at_stake),
        "suggestions": item.suggestions.iter().map(|s| json!({
            "id": s.id, "name": s.name, "score": s.score, "reason": s.reason,
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/mappings`: the mappings in force for a period (default: the
/// newest) and its latest run's unmapped references with suggestions.
pub async fn mappings(
    State(state): State<AppState>,
    _: Signed,
    Query(params): Query<PeriodQuery>,
) -> WebResult<Json<Value>> {
    let Some(period) = period_of(&state, Some(&params.period)).await? else {
        // Nothing imported yet: nothing mapped, nothing unmapped.
        return Ok(Json(json!({
            "period": null, "run": null, "clients": [], "products": [], "counting": [],
            "unmapped_clients": [], "unmapped_skus": [],
        })));
    };
    let current = actions(&state)?.current(&period).await?;
    let run = latest_run(&state, &period).await?;
    let (clients, skus) = match &run {
        Some(run) => crate::mapping::unmapped(&state, run).await?,
        None => (Vec::new(), Vec::new()),
    };
    Ok(Json(json!({
        "period": period,
        "run": run.as_ref().map(|r| r.id),
        "clients": current.clients.iter().map(|c| json!({
            "source": c.source, "external_id": c.external_id, "client_id": c.client_id,
            "domain": c.domain, "file": c.file,
        })).collect::<Vec<_>>(),
        "products": current.skus.iter().map(|s| json!({
            "source": s.source, "sku": s.sku, "product_id": s.product_id,
            "units": s.units, "rounding": s.rounding, "file": s.file,
        })).collect::<Vec<_>>(),
        "counting": current.counting.iter().map(|c| json!({
            "product_id": c.product_id, "statuses": c.statuses, "stale_days": c.stale_days,
            "device_classes": c.device_classes, "exclude_items": c.exclude_items,
        })).collect::<Vec<_>>(),
        "unmapped_clients": clients.iter().map(unmapped_json).collect::<Vec<_>>(),
        "unmapped_skus": skus.iter().map(unmapped_json).collect::<Vec<_>>(),
    })))
}

/// The body of `POST /api/mappings/clients` and `/api/mappings/products`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    period: Option<String>,
    source: String,
    external_id: String,
    target_id: String,
}

async fn accept(
    state: &AppState,
    actor: &str,
    kind: MappingKind,
    body: AcceptBody,
) -> WebResult<Json<Value>> {
    let period = period_of(state, body.period.as_deref())
        .await?
        .ok_or_else(|| WebError::BadRequest("period: nothing is imported yet".to_string()))?;
    check_period(&period)?;
    let request = AcceptMapping {
        period: period.clone(),
        kind,
        source: required(&body.source, "source")?,
        external_id: required(&body.external_id, "external_id")?,
        target_id: required(&body.target_id, "target_id")?,
        actor: actor.to_string(),
    };
    let message = actions(state)?.accept(request).await?;
    Ok(Json(json!({ "period": period, "message": message })))
}

/// `POST /api/mappings/clients`: map a client reference (admins).
pub async fn accept_client(
    State(state): State<AppState>,
    Signed(principal, _): Signed<Admin>,
    Json(body): Json<AcceptBody>,
) -> WebResult<Json<Value>> {
    accept(&state, &principal.name, MappingKind::Client, body).await
}

/// `POST /api/mappings/products`: map a SKU (admins).
pub async fn accept_product(
    State(state): State<AppState>,
    Signed(principal, _): Signed<Admin>,
    Json(body): Json<AcceptBody>,
) -> WebResult<Json<Value>> {
    accept(&state, &principal.name, MappingKind::Product, body).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    kind: String,
    source: String,
    external_id: String,
    suggested_id: String,
}

/// `POST /api/mappings/rejections`: never propose a suggestion again
/// (admins).
pub async fn reject_suggestion(
    State(state): State<AppState>,
    Signed(principal, _): Signed<Admin>,
    Json(body): Json<RejectBody>,
) -> WebResult<Json<Value>> {
    let kind = MappingKind::parse(&body.kind).ok_or_else(|| {
        WebError::BadRequest(format!("kind {:?}: expected client or product", body.kind))
    })?;
    reject(
        &state,
        kind,
        &body.source,
        &body.external_id,
        &body.suggested_id,
        &principal.name,
    )
    .await?;
    Ok(Json(json!({ "rejected": body.suggested_id })))
}

fn user_json(user: &User) -> Value {
    json!({
        "name": user.name, "role": user.role.as_str(),
        "created_at": user.created_at, "disabled": user.disabled,
    })
}

fn token_json(token: &ApiToken) -> Value {
    json!({
        "name": token.name, "role": token.role.as_str(),
        "created_at": token.created_at, "created_by": token.created_by,
        "last_used_at": token.last_used_at, "revoked_at": token.revoked_at,
    })
}

/// `GET /api/users` (admins).
pub async fn users(State(state): State<AppState>, _: Signed<Admin>) -> WebResult<Json<Value>> {
    let users = state.store().users().await?;
    Ok(Json(
        json!({ "users": users.iter().map(user_json).collect::<Vec<_>>() }),
    ))
}

/// The body of `POST /api/users`: `add` a user, or change one (`role`,
/// `disabled`, `password`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    name: String,
    #[serde(default)]
    add: bool,
    role: Option<String>,
    disabled: Option<bool>,
    password: Option<String>,
}

/// `POST /api/users` (admins).
pub async fn change_user(
    State(state): State<AppState>,
    Signed(principal, _): Signed<Admin>,
    Json(body): Json<UserBody>,
) -> WebResult<Json<Value>> {
    let actor = principal.name.as_str();
    if body.add {
        let role = parse_role(body.role.as_deref().unwrap_or("viewer"))?;
        let password = body
            .password
            .clone()
            .ok_or_else(|| WebError::BadRequest("password: a new user needs one".to_string()))?;
        add_user(&state, &body.name, role, password, actor).await?;
    } else {
        if let Some(role) = &body.role {
            set_role(&state, &body.name, parse_role(role)?, actor).await?;
        }
        if let Some(disabled) = body.disabled {
            set_disabled(&state, &body.name, disabled, actor).await?;
        }
        if let Some(password) = body.password.clone() {
            reset_password(&state, &body.name, password, actor).await?;
        }
    }
    let user = state
        .store()
        .user_by_name(body.name.trim())
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(user_json(&user)))
}

/// `GET /api/tokens` (admins).
pub async fn tokens(State(state): State<AppState>, _: Signed<Admin>) -> WebResult<Json<Value>> {
    let tokens = state.store().api_tokens().await?;
    Ok(Json(
        json!({ "tokens": tokens.iter().map(token_json).collect::<Vec<_>>() }),
    ))
}

/// The body of `POST /api/tokens`: make a token (`role`) or `revoke` one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    name: String,
    role: Option<String>,
    #[serde(default)]
    revoke: bool,
}

/// `POST /api/tokens` (admins): a new token is in the answer, once.
pub async fn change_token(
    State(state): State<AppState>,
    Signed(principal, _): Signed<Admin>,
    Json(body): Json<TokenBody>,
) -> WebResult<Json<Value>> {
    if body.revoke {
        revoke_token(&state, &body.name, &principal.name).await?;
        return Ok(Json(json!({ "name": body.name, "revoked": true })));
    }
    let role = parse_role(body.role.as_deref().unwrap_or("viewer"))?;
    let token = create_token(&state, &body.name, role, &principal.name).await?;
    Ok(Json(
        json!({ "name": body.name.trim(), "role": role.as_str(), "token": token }),
    ))
}
