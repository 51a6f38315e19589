//! Parsing of run settings given on the command line.

use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::error::UserError;

/// `--as-of`: a date (`2025-06-30`, meaning 00:00 UTC that day) or a full
/// RFC 3339 instant.
pub fn parse_as_of(text: &str) -> Result<Timestamp, UserError> {
    if let Ok(date) = Date::from_str(text) {
        return date
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|zoned| zoned.timestamp())
            .map_err(|e| UserError(format!("--as-of {text}: {e}")));
    }
    Timestamp::from_str(text).map_err(|_| {
        UserError(format!(
            "--as-of {text}: expected a date such as 2025-06-30 or an instant such as 2025-06-30T00:00:00Z"
        ))
    })
}
