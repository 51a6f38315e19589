use jiff::{SignedDuration, Timestamp};

/// The settings of one reconciliation. The engine never reads the clock: the
/// as-of instant comes from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunParams {
    /// The instant usage is judged at (the end of the billing period).
    pub as_of: Timestamp,
    /// Items last seen more than this many days before `as_of` are stale.
    pub stale_days: u32,
}

impl RunParams {
    pub const DEFAULT_STALE_DAYS: u32 = 30;

    /// Items last seen strictly before this instant are stale.
    pub fn stale_cutoff(&self) -> Timestamp {
        let window = SignedDuration::from_hours(24 * i64::from(self.stale_days));
        self.as_of.checked_sub(window).unwrap_or(Timestamp::MIN)
    }
}
