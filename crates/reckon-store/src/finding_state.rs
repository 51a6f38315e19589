//! Rules the command line and the web share about a stored finding: its
//! short id and its review state as of a day.

use sha2::{Digest, Sha256};

use crate::records::{Review, ReviewState};

/// A finding's short id: the first ten hex digits (five bytes) of its
/// fingerprint's SHA-256, the same in every run.
pub fn short_id(fingerprint: &str) -> String {
    Sha256::digest(fingerprint.as_bytes())
        .iter()
        .take(5)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A review's state as of `today` (`YYYY-MM-DD`): an ignore past its end
/// date is open again, and a finding never reviewed is open. The SQL of
/// the finding query says the same ([`EFFECTIVE_STATE_SQL`]).
pub fn effective_state(review: Option<&Review>, today: &str) -> ReviewState {
    match review {
        None => ReviewState::Open,
        Some(review)
            if review.state == ReviewState::Ignored
                && !review.expires_on.is_empty()
                && review.expires_on.as_str() < today =>
        {
            ReviewState::Open
        }
        Some(review) => review.state,
    }
}

/// [`effective_state`] in SQL, over the reviews joined as `r`, with today
/// as the placeholder `$TODAY` (replaced by the query's own number).
pub(crate) const EFFECTIVE_STATE_SQL: &str = "(CASE WHEN r.state IS NULL THEN 'open' \
     WHEN r.state = 'ignored' AND r.expires_on <> '' AND r.expires_on < $TODAY THEN 'open' \
     ELSE r.state END)";

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored_until(day: &str) -> Review {
        Review {
            fingerprint: "f".to_string(),
            state: ReviewState::Ignored,
            reason: "seasonal".to_string(),
            expires_on: day.to_string(),
            assignee: String::new(),
            for_action: false,
            updated_at: String::new(),
            updated_by: String::new(),
        }
    }

    #[test]
    fn short_ids_are_ten_hex_digits_of_the_hash() {
        let id = short_id("underbilled|C1|M365-BP||");
        assert_eq!(id.len(), 10);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(id, short_id("underbilled|C1|M365-BP||"));
        assert_ne!(id, short_id("underbilled|C1|MS-WKS||"));
    }

    #[test]
    fn an_ignore_past_its_end_is_open() {
        assert_eq!(effective_state(None, "2026-11-01"), ReviewState::Open);
        let review = ignored_until("2026-10-31");
        assert_eq!(
            effective_state(Some(&review), "2026-10-31"),
            ReviewState::Ignored
        );
        assert_eq!(
            effective_state(Some(&review), "2026-11-01"),
            ReviewState::Open
        );
        assert_eq!(
            effective_state(Some(&ignored_until("")), "2099-01-01"),
            ReviewState::Ignored
        );
    }
}
