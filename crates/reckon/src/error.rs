//! How the command line tells a user's mistake from an internal failure.

use std::fmt;

/// A problem the user can fix: bad input data, a bad argument.
#[derive(Debug)]
pub struct UserError(pub String);

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

impl From<reckon_sources::SourceError> for UserError {
    fn from(error: reckon_sources::SourceError) -> Self {
        UserError(error.to_string())
    }
}

/// Exit codes: 0 success, 1 internal failure, 2 the user's input.
pub fn exit_code(error: &anyhow::Error) -> i32 {
    if is_user_error(error) { 2 } else { 1 }
}

pub fn is_user_error(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.is::<UserError>()
            || cause.is::<reckon_sources::SourceError>()
            // A closed period or a missing run is the user's to fix; a
            // database failure is not.
            || matches!(
                cause.downcast_ref::<reckon_store::StoreError>(),
                Some(reckon_store::StoreError::Conflict(_) | reckon_store::StoreError::NotFound(_))
            )
    })
}
