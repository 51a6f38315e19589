//! A review change from a page or the API: the same rules and store calls
//! as `reckon review` (so the same audit trail), and nothing written when
//! nothing changes.

use reckon_store::{FindingRow, Note, ReviewChange, ReviewState, RunRecord, RunStore};

use crate::error::{WebError, WebResult};
use crate::state::{AppState, now};

/// What a reviewer asks for; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct ReviewRequest {
    pub state: Option<ReviewState>,
    pub reason: Option<String>,
    /// `YYYY-MM-DD`: the end of an ignore.
    pub until: Option<String>,
    pub assignee: Option<String>,
    pub for_action: Option<bool>,
    pub note: Option<String>,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewOutcome {
    pub review_changed: bool,
    pub note_added: bool,
}

pub fn parse_state(text: &str) -> WebResult<ReviewState> {
    ReviewState::parse(text).ok_or_else(|| {
        WebError::BadRequest(format!(
            "state {text:?}: expected open, acknowledged, resolved or ignored"
        ))
    })
}

/// Applies `request` to a finding of `run` as `actor`.
pub async fn apply(
    state: &AppState,
    run: &RunRecord,
    row: &FindingRow,
    request: &ReviewRequest,
    actor: &str,
) -> WebResult<ReviewOutcome> {
    if let Some(until) = request.until.as_deref().filter(|u| !u.is_empty())
        && until.parse::<jiff::civil::Date>().is_err()
    {
        return Err(WebError::BadRequest(format!(
            "until {until:?}: expected a date such as 2027-01-31"
        )));
    }
    let at = now();
    let change = ReviewChange {
        state: request.state,
        reason: request.reason.clone(),
        until: request.until.clone(),
        assignee: request.assignee.clone(),
        for_action: request.for_action,
    };
    let changed = change.applied_to(&row.finding.fingerprint, row.review.as_ref(), &at, actor);
    if let Some(review) = &changed {
        state.store().set_review(review, &run.period).await?;
    }
    let note = request.note.as_deref().map(str::trim).unwrap_or("");
    if !note.is_empty() {
        state
            .store()
            .add_note(
                &Note {
                    id: 0,
                    fingerprint: row.finding.fingerprint.clone(),
                    at,
                    author: actor.to_string(),
                    body: note.to_string(),
                },
                &run.period,
            )
            .await?;
    }
    if changed.is_some() || !note.is_empty() {
        tracing::info!(
            run.id = run.id,
            finding.id = %row.short_id,
            changed = changed.is_some(),
            note = !note.is_empty(),
            "review changed"
        );
    }
    Ok(ReviewOutcome {
        review_changed: changed.is_some(),
        note_added: !note.is_empty(),
    })
}
