//! The clock as records write it: instants in UTC to the second (RFC 3339)
//! and days as `YYYY-MM-DD`. The engine never reads a clock; the store's
//! callers (command line and web) take "now" from here, so every record
//! has the same shape.

/// Now, to the second.
pub fn now_instant() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    now.round(jiff::Unit::Second).unwrap_or(now)
}

/// Now, RFC 3339 (`2026-11-26T08:00:00Z`).
pub fn now() -> String {
    now_instant().to_string()
}

/// Today in UTC (`2026-11-26`).
pub fn today() -> String {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}
