//! Who is asking, and may they. One extractor, [`Signed`], authenticates a
//! request (a session cookie on pages and the API; a bearer token on the
//! API only) and enforces the least role a route needs. [`SignedForm`]
//! adds the body of a form POST and checks its CSRF token; cookie-signed
//! API writes carry the token in the `X-CSRF-Token` header.

use std::marker::PhantomData;

use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use reckon_store::{Role, UserStore};

use crate::error::WebError;
use crate::secrets::{same_secret, token_hash};
use crate::state::{AppState, now};

pub const SESSION_COOKIE: &str = "reckon_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A sign-in session, with its CSRF token.
    Session { token_hash: String, csrf: String },
    /// An API token (`Authorization: Bearer ...`), by name.
    Token,
}

/// The signed-in user or API token.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user's name, or `token:NAME` for an API token (as the audit
    /// trail records it).
    pub name: String,
    pub role: Role,
    pub via: Via,
}

impl Principal {
    pub fn may(&self, role: Role) -> bool {
        self.role >= role
    }

    /// The CSRF token forms must carry (none for API tokens).
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token => "",
        }
    }
}

/// The least role a route needs.
pub trait Need {
    const ROLE: Role;
}

/// Any signed-in user.
#[derive(Debug)]
pub struct Viewer;
impl Need for Viewer {
    const ROLE: Role = Role::Viewer;
}

/// Reviewers and admins.
#[derive(Debug)]
pub struct Reviewer;
impl Need for Reviewer {
    const ROLE: Role = Role::Reviewer;
}

/// Admins only.
#[derive(Debug)]
pub struct Admin;
impl Need for Admin {
    const ROLE: Role = Role::Admin;
}

/// A request from someone with at least the role `R`.
#[derive(Debug)]
pub struct Signed<R: Need = Viewer>(pub Principal, pub PhantomData<R>);

/// The value of one cookie.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Who the request comes from, if anyone.
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<Principal>, WebError> {
    let api = parts.uri.path().starts_with("/api/");
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        if !api {
            // Tokens are for scripts: pages are for people who sign in.
            return Ok(None);
        }
        let Some(token) = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
        else {
            return Ok(None);
        };
        let Some(stored) = state
            .store()
            .use_api_token(&token_hash(token), &now())
            .await?
        else {
            return Ok(None);
        };
        return Ok(Some(Principal {
            name: format!("token:{}", stored.name),
            role: stored.role,
            via: Via::Token,
        }));
    }
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = token_hash(token);
    let Some((session, user)) = state.store().session(&hash, &now()).await? else {
        return Ok(None);
    };
    Ok(Some(Principal {
        name: user.name,
        role: user.role,
        via: Via::Session {
            token_hash: hash,
            csrf: session.csrf_token,
        },
    }))
}

impl<R: Need + Send + Sync> FromRequestParts<AppState> for Signed<R> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let principal = authenticate(parts, state)
            .await?
            .ok_or(WebError::Unauthorized)?;
        if !principal.may(R::ROLE) {
            return Err(WebError::Forbidden);
        }
        let writes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if writes && parts.uri.path().starts_with("/api/") {
            // A browser sends the cookie with any request; only a page of
            // this site knows the CSRF token to send with it.
            if let Via::Session { csrf, .. } = &principal.via {
                let sent = parts
                    .headers
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if !same_secret(sent, csrf) {
                    return Err(WebError::Csrf);
                }
            }
        }
        Ok(Signed(principal, PhantomData))
    }
}

/// A form's fields, in order (a field may repeat, as checkboxes do).
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A field's value, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").trim().to_string()
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }
}

/// A form POST from a signed-in user with at least role `R`, its CSRF
/// token (the hidden field `csrf`) checked.
#[derive(Debug)]
pub struct SignedForm<R: Need = Viewer> {
    pub principal: Principal,
    pub fields: Fields,
    role: PhantomData<R>,
}

impl<R: Need + Send + Sync> FromRequest<AppState> for SignedForm<R> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, WebError> {
        let (mut parts, body) = request.into_parts();
        let Signed(principal, _) = Signed::<R>::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|e| WebError::BadRequest(e.body_text()))?;
        let fields = Fields(fields);
        let sent = fields.get("csrf").unwrap_or("");
        if principal.csrf().is_empty() || !same_secret(sent, principal.csrf()) {
            return Err(WebError::Csrf);
        }
        Ok(SignedForm {
            principal,
            fields,
            role: PhantomData,
        })
    }
}

/// The `Set-Cookie` value of a new session (or, with `None`, of its end).
pub fn session_cookie(token: Option<&str>, state: &AppState) -> String {
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    match token {
        Some(token) => format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            state.config().session_hours * 3600
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// The client's address, when the server was started with connection info
/// (in-process tests have none). A forwarded header counts only when the
/// connection comes from the configured reverse proxy (anyone else can set
/// it): then the last `X-Forwarded-For` entry, the one the proxy added.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(ClientAddr(client_address(
            peer,
            state.config().trusted_proxy,
            &parts.headers,
        )))
    }
}

/// The peer, or behind the trusted proxy the client it forwarded.
pub fn client_address(
    peer: Option<std::net::IpAddr>,
    trusted_proxy: Option<std::net::IpAddr>,
    headers: &HeaderMap,
) -> Option<std::net::IpAddr> {
    match (peer, trusted_proxy) {
        (Some(peer), Some(proxy)) if peer == proxy => headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .next_back()
            .and_then(|last| last.trim().parse().ok())
            .or(Some(peer)),
        _ => peer,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_forwarded_address_counts_only_from_the_trusted_proxy() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let stranger: std::net::IpAddr = "203.0.113.9".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 198.51.100.7".parse().unwrap());
        // Behind the proxy: the entry the proxy added (the last one).
        assert_eq!(
            client_address(Some(proxy), Some(proxy), &headers),
            Some("198.51.100.7".parse().unwrap())
        );
        // Anyone else's header is ignored.
        assert_eq!(
            client_address(Some(stranger), Some(proxy), &headers),
            Some(stranger)
        );
        assert_eq!(client_address(Some(proxy), None, &headers), Some(proxy));
        // A proxy that sent no header: the proxy itself.
        assert_eq!(
            client_address(Some(proxy), Some(proxy), &HeaderMap::new()),
            Some(proxy)
        );
    }
}
