//! reckon-web: the review app in the browser and its JSON API, on the same
//! store as the command line. Server-rendered HTML (maud), assets embedded,
//! sign-in with argon2 passwords and sessions, roles, CSRF tokens on every
//! write.

pub mod actions;
mod admin;
mod api;
mod api_admin;
mod api_workspace;
mod auth;
mod downloads;
mod error;
mod format;
mod listing;
mod mapping;
pub mod mapping_actions;
mod openapi;
mod pages;
pub mod report_data;
mod review;
mod runs;
pub mod secrets;
mod state;
mod uploads;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tracing::Instrument;

pub use admin::setting_value;
pub use auth::{Admin, CSRF_HEADER, Principal, Reviewer, SESSION_COOKIE, Signed, Viewer};
pub use error::{WebError, WebResult};
pub use state::{AppState, WebConfig};

/// Every route of the app. Anonymous: `/healthz`, `/api/openapi.json`,
/// `/sign-in`, `/setup` (while no user exists) and `/static/*`; everything
/// else needs a session (or, under `/api/`, a token).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::dashboard::page))
        .route("/findings", get(pages::findings::page))
        .route("/findings/bulk", post(pages::findings::bulk))
        .route("/findings/{id}", get(pages::finding::page))
        .route("/findings/{id}/review", post(pages::finding::review))
        .route(
            "/sign-in",
            get(pages::sign_in::page).post(pages::sign_in::submit),
        )
        .route("/sign-out", post(pages::sign_in::sign_out))
        .route("/setup", get(pages::setup::page).post(pages::setup::submit))
        .route("/static/app.css", get(pages::assets::css))
        .route("/static/app.js", get(pages::assets::js))
        .route("/static/favicon.svg", get(pages::assets::favicon))
        .route("/imports", get(pages::imports::page))
        .route(
            "/imports",
            post(pages::imports::upload).layer(upload_limit(&state)),
        )
        .route(
            "/imports/staged/{token}",
            get(pages::imports::preview).post(pages::imports::decide),
        )
        .route("/runs", get(pages::runs::list).post(pages::runs::start))
        .route("/runs/{id}", get(pages::runs::show))
        .route("/runs/{id}/export", get(pages::runs::download))
        .route("/api/imports", get(api_workspace::imports))
        .route(
            "/api/imports",
            post(api_workspace::upload).layer(upload_limit(&state)),
        )
        .route("/api/runs", post(api_workspace::start))
        .route("/api/runs/{id}", get(api_workspace::run))
        .route("/api/runs/{id}/export", get(api_workspace::export))
        .route("/healthz", get(healthz))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/me", get(api::me))
        .route("/api/runs", get(api::runs))
        .route("/api/findings", get(api::findings))
        .route("/api/findings/{id}", get(api::finding))
        .route("/api/findings/{id}/review", post(api::review))
        .route("/mapping", get(pages::mapping::page))
        .route("/mapping/accept", post(pages::mapping::accept))
        .route("/mapping/reject", post(pages::mapping::reject_suggestion))
        .route(
            "/mapping/products/{id}",
            get(pages::mapping::product).post(pages::mapping::save_product),
        )
        .route(
            "/admin/users",
            get(pages::admin::users).post(pages::admin::add),
        )
        .route("/admin/users/{name}/role", post(pages::admin::role))
        .route("/admin/users/{name}/disabled", post(pages::admin::disabled))
        .route("/admin/users/{name}/password", post(pages::admin::password))
        .route("/admin/tokens", post(pages::admin::make_token))
        .route("/admin/tokens/{name}/revoke", post(pages::admin::revoke))
        .route(
            "/admin/settings",
            get(pages::admin::settings).post(pages::admin::save_settings),
        )
        .route("/api/mappings", get(api_admin::mappings))
        .route("/api/mappings/clients", post(api_admin::accept_client))
        .route("/api/mappings/products", post(api_admin::accept_product))
        .route(
            "/api/mappings/rejections",
            post(api_admin::reject_suggestion),
        )
        .route(
            "/api/users",
            get(api_admin::users).post(api_admin::change_user),
        )
        .route(
            "/api/tokens",
            get(api_admin::tokens).post(api_admin::change_token),
        )
        .fallback(not_found)
        .layer(middleware::from_fn(render_errors))
        .layer(middleware::from_fn(protective_headers))
        .layer(middleware::from_fn(trace_requests))
        .with_state(state)
}

/// Uploads may be large exports, up to `WebConfig::max_upload_bytes`.
fn upload_limit(state: &AppState) -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(state.config().max_upload_bytes)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn not_found() -> WebError {
    WebError::NotFound
}

/// A span per request, and one line when it is answered. Only the path is
/// logged (a query may hold a search for a client's name).
async fn trace_requests(request: Request, next: Next) -> Response {
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
    );
    async move {
        let started = std::time::Instant::now();
        let response = next.run(request).await;
        tracing::info!(
            status = response.status().as_u16(),
            duration_ms = started.elapsed().as_millis() as u64,
            "answered"
        );
        response
    }
    .instrument(span)
    .await
}

/// Headers every answer carries: no page of reckon may be framed by
/// another site (clickjacking a review button), and browsers must not
/// guess content types.
async fn protective_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_FRAME_OPTIONS,
        axum::http::HeaderValue::from_static("DENY"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static("frame-ancestors 'none'"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    response
}

/// Turns a [`WebError`] (or an extractor's plain-text rejection) into a
/// page or JSON, by the request's path; an anonymous page visitor is sent
/// to sign in and back.
async fn render_errors(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".to_string());
    let get = request.method() == axum::http::Method::GET;
    let mut response = next.run(request).await;
    let error = match response.extensions_mut().remove::<WebError>() {
        Some(error) => error,
        None if response.status().is_client_error()
            && response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|v| v.starts_with("text/plain")) =>
        {
            // An extractor's rejection (a malformed query or body): its text
            // says what was wrong.
            let status = response.status();
            let body = axum::body::to_bytes(std::mem::take(response.body_mut()), 64 * 1024)
                .await
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&body).into_owned();
            match status {
                StatusCode::NOT_FOUND => WebError::NotFound,
                StatusCode::METHOD_NOT_ALLOWED => {
                    return (status, error_body(api, status, "method not allowed")).into_response();
                }
                // A malformed query, form or JSON body: 400, saying what.
                _ => WebError::BadRequest(text),
            }
        }
        None => return response,
    };
    if let WebError::Internal(detail) = &error {
        tracing::error!(error = %detail, "request failed");
    }
    if error == WebError::Unauthorized && !api {
        let next = if get { target } else { "/".to_string() };
        let location = format!("/sign-in?next={}", pages::url_encode(&next));
        return Redirect::to(&location).into_response();
    }
    let status = error.status();
    (status, error_body(api, status, &error.public_message())).into_response()
}

fn error_body(api: bool, status: StatusCode, message: &str) -> Response {
    if api {
        let body = serde_json::json!({ "error": message, "status": status.as_u16() });
        let mut response = Response::new(Body::from(body.to_string()));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    } else {
        pages::layout::error_page(status, message).into_response()
    }
}

impl PartialEq for WebError {
    fn eq(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// Serves the app on `bind` until Ctrl-C (or SIGTERM), with each client's
/// address known to the sign-in rate limiter.
pub async fn serve(bind: &str, state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    tracing::info!(address = %listener.local_addr()?, "serving");
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
}

async fn shutdown() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("stopping");
}
