//! The web layer's one error type. A handler returns it; the
//! `render_errors` layer turns it into a page or JSON by the request's path
//! (`/api/...` gets JSON), and sends an anonymous page visitor to sign in.
//! A server error logs its detail once and shows a generic message.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use reckon_store::StoreError;

/// What went wrong, as the visitor may be told.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    /// No (valid) session or token.
    #[error("sign in first")]
    Unauthorized,
    /// Signed in, but the role does not allow it.
    #[error("your role does not allow this")]
    Forbidden,
    /// A write without its CSRF token.
    #[error("the form has expired or did not come from this site: reload the page and try again")]
    Csrf,
    #[error("too many failed sign-ins: wait a few minutes and try again")]
    TooManyRequests,
    /// The change contradicts what is stored (a closed period).
    #[error("{0}")]
    Conflict(String),
    /// An upload over the size limit: the message says the limit.
    #[error("{0}")]
    TooLarge(String),
    /// A feature this server was started without (importing, running and
    /// mapping need `reckon serve` in a workspace).
    #[error("{0}")]
    Unavailable(String),
    /// Ours: logged, never shown.
    #[error("internal error")]
    Internal(String),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message a visitor sees.
    pub fn public_message(&self) -> String {
        match self {
            WebError::Internal(_) => {
                "Something went wrong on our side. It has been logged; try again later.".to_string()
            }
            other => other.to_string(),
        }
    }
}

impl From<StoreError> for WebError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(_) => WebError::NotFound,
            StoreError::Conflict(message) => WebError::Conflict(message),
            StoreError::Other(detail) => WebError::Internal(detail),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        // The body is made by `render_errors`, which knows the request.
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

pub type WebResult<T> = Result<T, WebError>;
