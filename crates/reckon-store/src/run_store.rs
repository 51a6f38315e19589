//! Runs, findings, reviews, notes and month-end close on the SQL store.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{StoreError, StoreResult};
use crate::records::{
    Change, FindingPage, FindingQuery, FindingRow, NewRun, Note, PeriodState, Review, ReviewState,
    RunRecord, RunTotals, StoredFinding,
};
use crate::sql_store::SqlStore;
use crate::store::RunStore;

const RUN_COLUMNS: &str = "id, period, as_of, stale_days, created_at, created_by, inputs, pairs, \
                           underbilled, overbilled, finding_count";
const FINDING_COLUMNS: &str = "fingerprint, kind, client_id, product_id, source, item_key, \
                               billed, actual, impact, money_at_stake, cause, priority, \
                               explanation, detail";

fn run_from_row(row: &AnyRow) -> StoreResult<RunRecord> {
    let inputs: String = row.try_get("inputs")?;
    Ok(RunRecord {
        id: row.try_get("id")?,
        period: row.try_get("period")?,
        as_of: row.try_get("as_of")?,
        stale_days: u32::try_from(row.try_get::<i64, _>("stale_days")?).unwrap_or_default(),
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        inputs: inputs
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .collect(),
        pairs: u64::try_from(row.try_get::<i64, _>("pairs")?).unwrap_or_default(),
        underbilled: row.try_get("underbilled")?,
        overbilled: row.try_get("overbilled")?,
        finding_count: u64::try_from(row.try_get::<i64, _>("finding_count")?).unwrap_or_default(),
    })
}

pub(crate) fn finding_from_row(row: &AnyRow) -> StoreResult<StoredFinding> {
    Ok(StoredFinding {
        fingerprint: row.try_get("fingerprint")?,
        kind: row.try_get("kind")?,
        client_id: row.try_get("client_id")?,
        product_id: row.try_get("product_id")?,
        source: row.try_get("source")?,
        item_key: row.try_get("item_key")?,
        billed: row.try_get("billed")?,
        actual: row.try_get("actual")?,
        impact: row.try_get("impact")?,
        money_at_stake: row.try_get("money_at_stake")?,
        cause: row.try_get("cause")?,
        priority: row.try_get("priority")?,
        explanation: row.try_get("explanation")?,
        detail: row.try_get("detail")?,
    })
}

fn note_from_row(row: &AnyRow) -> StoreResult<Note> {
    Ok(Note {
        id: row.try_get("id")?,
        fingerprint: row.try_get("fingerprint")?,
        at: row.try_get("at")?,
        author: row.try_get("author")?,
        body: row.try_get("body")?,
    })
}

fn review_from_row(row: &AnyRow) -> StoreResult<Review> {
    let state: String = row.try_get("state")?;
    Ok(Review {
        fingerprint: row.try_get("fingerprint")?,
        state: ReviewState::parse(&state)
            .ok_or_else(|| StoreError::Other(format!("unknown review state {state}")))?,
        reason: row.try_get("reason")?,
        expires_on: row.try_get("expires_on")?,
        assignee: row.try_get("assignee")?,
        for_action: row.try_get::<i64, _>("for_action")? != 0,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

impl SqlStore {
    async fn closed(
        &self,
        connection: &mut sqlx::AnyConnection,
        period: &str,
    ) -> StoreResult<bool> {
        let row = sqlx::query(&self.sql("SELECT closed FROM periods WHERE period = $1"))
            .bind(period)
            .fetch_optional(&mut *connection)
            .await?;
        Ok(match row {
            Some(row) => row.try_get::<i64, _>("closed")? != 0,
            None => false,
        })
    }

    async fn refuse_if_closed(
        &self,
        connection: &mut sqlx::AnyConnection,
        period: &str,
        what: &str,
    ) -> StoreResult<()> {
        if self.closed(connection, period).await? {
            return Err(StoreError::Conflict(format!(
                "period {period} is closed: {what} is refused (an admin can reopen it)"
            )));
        }
        Ok(())
    }

    async fn review_of(
        &self,
        connection: &mut sqlx::AnyConnection,
        fingerprint: &str,
    ) -> StoreResult<Option<Review>> {
        let row = sqlx::query(&self.sql(
            "SELECT fingerprint, state, reason, expires_on, assignee, for_action, updated_at, \
             updated_by FROM reviews WHERE fingerprint = $1",
        ))
        .bind(fingerprint)
        .fetch_optional(&mut *connection)
        .await?;
        row.as_ref().map(review_from_row).transpose()
    }

    async fn write_review(
        &self,
        connection: &mut sqlx::AnyConnection,
        review: &Review,
    ) -> StoreResult<()> {
        let old = self.review_of(connection, &review.fingerprint).await?;
        sqlx::query(&self.sql(
            "INSERT INTO reviews (fingerprint, state, reason, expires_on, assignee, for_action, \
             updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT \
             (fingerprint) DO UPDATE SET state = excluded.state, reason = excluded.reason, \
             expires_on = excluded.expires_on, assignee = excluded.assignee, for_action = \
             excluded.for_action, updated_at = excluded.updated_at, updated_by = \
             excluded.updated_by",
        ))
        .bind(&review.fingerprint)
        .bind(review.state.as_str())
        .bind(&review.reason)
        .bind(&review.expires_on)
        .bind(&review.assignee)
        .bind(i64::from(review.for_action))
        .bind(&review.updated_at)
        .bind(&review.updated_by)
        .execute(&mut *connection)
        .await?;
        let describe = |review: &Review| {
            let mut text = review.state.as_str().to_string();
            if !review.reason.is_empty() {
                text.push_str(&format!(" ({})", review.reason));
            }
            if !review.expires_on.is_empty() {
                text.push_str(&format!(" until {}", review.expires_on));
            }
            if !review.assignee.is_empty() {
                text.push_str(&format!(", assigned to {}", review.assignee));
            }
            if review.for_action {
                text.push_str(", marked for a PSA change");
            }
            text
        };
        self.insert_change(
            connection,
            &Change {
                at: review.updated_at.clone(),
                actor: review.updated_by.clone(),
                entity: "finding".to_string(),
                entity_id: review.fingerprint.clone(),
                field: "review".to_string(),
                old_value: old.as_ref().map(describe),
                new_value: Some(describe(review)),
            },
        )
        .await
    }

    async fn write_note(
        &self,
        connection: &mut sqlx::AnyConnection,
        note: &Note,
    ) -> StoreResult<i64> {
        let row = sqlx::query(&self.sql(
            "INSERT INTO notes (fingerprint, at, author, body) VALUES ($1, $2, $3, $4) RETURNING id",
        ))
        .bind(&note.fingerprint)
        .bind(&note.at)
        .bind(&note.author)
        .bind(&note.body)
        .fetch_one(&mut *connection)
        .await?;
        let id: i64 = row.try_get("id")?;
        self.insert_change(
            connection,
            &Change {
                at: note.at.clone(),
                actor: note.author.clone(),
                entity: "finding".to_string(),
                entity_id: note.fingerprint.clone(),
                field: "note".to_string(),
                old_value: None,
                new_value: Some(note.body.clone()),
            },
        )
        .await?;
        Ok(id)
    }
}

/// Findings per INSERT statement: 15 values each, well under SQLite's
/// and PostgreSQL's limits on bound parameters.
const FINDINGS_PER_INSERT: usize = 200;

impl RunStore for SqlStore {
    async fn add_run(&self, run: &NewRun, findings: &[StoredFinding]) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        self.refuse_if_closed(&mut tx, &run.period, "a new run")
            .await?;
        let inputs: Vec<String> = run.inputs.iter().map(i64::to_string).collect();
        let row = sqlx::query(&self.sql(
            "INSERT INTO runs (period, as_of, stale_days, created_at, created_by, inputs, pairs, \
             underbilled, overbilled, finding_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10) RETURNING id",
        ))
        .bind(&run.period)
        .bind(&run.as_of)
        .bind(i64::from(run.stale_days))
        .bind(&run.created_at)
        .bind(&run.created_by)
        .bind(inputs.join(","))
        .bind(i64::try_from(run.pairs).unwrap_or(i64::MAX))
        .bind(&run.underbilled)
        .bind(&run.overbilled)
        .bind(i64::try_from(findings.len()).unwrap_or(i64::MAX))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        // Many rows per statement: a run of 100,000 findings is stored in
        // seconds, not minutes.
        for chunk in findings.chunks(FINDINGS_PER_INSERT) {
            let placeholders: Vec<String> = (0..chunk.len())
                .map(|row| {
                    let first = row * 15 + 1;
                    let values: Vec<String> =
                        (first..first + 15).map(|n| format!("${n}")).collect();
                    format!("({})", values.join(", "))
                })
                .collect();
            let insert = self.sql(&format!(
                "INSERT INTO run_findings (run_id, {FINDING_COLUMNS}) VALUES {}",
                placeholders.join(", ")
            ));
            let mut query = sqlx::query(&insert);
            for finding in chunk {
                query = query
                    .bind(id)
                    .bind(&finding.fingerprint)
                    .bind(&finding.kind)
                    .bind(&finding.client_id)
                    .bind(&finding.product_id)
                    .bind(&finding.source)
                    .bind(&finding.item_key)
                    .bind(&finding.billed)
                    .bind(&finding.actual)
                    .bind(&finding.impact)
                    .bind(&finding.money_at_stake)
                    .bind(&finding.cause)
                    .bind(&finding.priority)
                    .bind(&finding.explanation)
                    .bind(&finding.detail);
            }
            query.execute(&mut *tx).await?;
        }
        let resolved: std::collections::HashSet<String> =
            sqlx::query("SELECT fingerprint FROM reviews WHERE state = 'resolved'")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| row.try_get::<String, _>("fingerprint"))
                .collect::<Result<_, _>>()?;
        for finding in findings
            .iter()
            .filter(|finding| resolved.contains(&finding.fingerprint))
        {
            // A resolved exception that comes back was not resolved.
            if let Some(review) = self.review_of(&mut tx, &finding.fingerprint).await?
                && review.state == ReviewState::Resolved
            {
                let reopened = Review {
                    state: ReviewState::Open,
                    reason: format!("reappeared in run {id} after it was resolved"),
                    expires_on: String::new(),
                    // The change it was marked for was made; coming back
                    // needs a fresh decision.
                    for_action: false,
                    updated_at: run.created_at.clone(),
                    updated_by: run.created_by.clone(),
                    ..review
                };
                self.write_review(&mut tx, &reopened).await?;
                self.write_note(
                    &mut tx,
                    &Note {
                        id: 0,
                        fingerprint: finding.fingerprint.clone(),
                        at: run.created_at.clone(),
                        author: run.created_by.clone(),
                        body: format!("Reopened: it was resolved, and run {id} finds it again."),
                    },
                )
                .await?;
            }
        }
        let fingerprints: Vec<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
        self.insert_short_ids(&mut tx, &fingerprints).await?;
        self.insert_change(
            &mut tx,
            &Change {
                at: run.created_at.clone(),
                actor: run.created_by.clone(),
                entity: "run".to_string(),
                entity_id: id.to_string(),
                field: "created".to_string(),
                old_value: None,
                new_value: Some(format!(
                    "period {} as of {}, {} findings, imports {}",
                    run.period,
                    run.as_of,
                    findings.len(),
                    inputs.join(",")
                )),
            },
        )
        .await?;
        tx.commit().await?;
        // The planner's statistics, so that a filter by client uses its
        // index rather than walking the findings in money order.
        sqlx::query("ANALYZE run_findings")
            .execute(self.pool())
            .await?;
        Ok(id)
    }

    async fn runs(&self, period: Option<&str>) -> StoreResult<Vec<RunRecord>> {
        let rows = match period {
            Some(period) => {
                sqlx::query(&self.sql(&format!(
                    "SELECT {RUN_COLUMNS} FROM runs WHERE period = $1 ORDER BY id"
                )))
                .bind(period)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id"))
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(run_from_row).collect()
    }

    async fn run(&self, id: i64) -> StoreResult<RunRecord> {
        let row = sqlx::query(&self.sql(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("run {id}")))?;
        run_from_row(&row)
    }

    async fn run_findings(&self, run: i64) -> StoreResult<Vec<StoredFinding>> {
        let rows = sqlx::query(&self.sql(&format!(
            "SELECT {FINDING_COLUMNS} FROM run_findings WHERE run_id = $1 ORDER BY fingerprint"
        )))
        .bind(run)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(finding_from_row).collect()
    }

    async fn finding_runs(&self, fingerprint: &str) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            &self.sql("SELECT run_id FROM run_findings WHERE fingerprint = $1 ORDER BY run_id"),
        )
        .bind(fingerprint)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| row.try_get::<i64, _>("run_id").map_err(StoreError::from))
            .collect()
    }

    async fn run_histories(
        &self,
        run: i64,
    ) -> StoreResult<std::collections::HashMap<String, Vec<i64>>> {
        let rows = sqlx::query(&self.sql(
            "SELECT h.fingerprint, h.run_id FROM run_findings h JOIN run_findings f \
             ON f.fingerprint = h.fingerprint AND f.run_id = $1 WHERE h.run_id <= $1 \
             ORDER BY h.run_id",
        ))
        .bind(run)
        .fetch_all(self.pool())
        .await?;
        let mut histories: std::collections::HashMap<String, Vec<i64>> =
            std::collections::HashMap::new();
        for row in &rows {
            histories
                .entry(row.try_get("fingerprint")?)
                .or_default()
                .push(row.try_get("run_id")?);
        }
        Ok(histories)
    }

    async fn reviews(&self) -> StoreResult<Vec<Review>> {
        let rows = sqlx::query(
            "SELECT fingerprint, state, reason, expires_on, assignee, for_action, updated_at, \
             updated_by FROM reviews ORDER BY fingerprint",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(review_from_row).collect()
    }

    async fn set_review(&self, review: &Review, period: &str) -> StoreResult<()> {
        if review.state == ReviewState::Ignored && review.reason.trim().is_empty() {
            return Err(StoreError::Conflict(
                "ignoring a finding needs a reason".to_string(),
            ));
        }
        let mut tx = self.begin_write().await?;
        self.refuse_if_closed(&mut tx, period, "changing a review")
            .await?;
        self.write_review(&mut tx, review).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_note(&self, note: &Note, period: &str) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        self.refuse_if_closed(&mut tx, period, "a new note").await?;
        let id = self.write_note(&mut tx, note).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn notes(&self, fingerprint: &str) -> StoreResult<Vec<Note>> {
        let rows = sqlx::query(&self.sql(
            "SELECT id, fingerprint, at, author, body FROM notes WHERE fingerprint = $1 ORDER BY id",
        ))
        .bind(fingerprint)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(note_from_row).collect()
    }

    async fn all_notes(&self) -> StoreResult<Vec<Note>> {
        let rows = sqlx::query(
            "SELECT id, fingerprint, at, author, body FROM notes ORDER BY fingerprint, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(note_from_row).collect()
    }

    async fn period_state(&self, period: &str) -> StoreResult<Option<PeriodState>> {
        let row = sqlx::query(&self.sql(
            "SELECT period, closed, final_run, changed_at, changed_by FROM periods WHERE period = $1",
        ))
        .bind(period)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(PeriodState {
                period: row.try_get("period")?,
                closed: row.try_get::<i64, _>("closed")? != 0,
                final_run: row.try_get("final_run")?,
                changed_at: row.try_get("changed_at")?,
                changed_by: row.try_get("changed_by")?,
            })
        })
        .transpose()
    }

    async fn set_period_closed(&self, state: &PeriodState) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let was = self.closed(&mut tx, &state.period).await?;
        sqlx::query(&self.sql(
            "INSERT INTO periods (period, closed, final_run, changed_at, changed_by) VALUES ($1, \
             $2, $3, $4, $5) ON CONFLICT (period) DO UPDATE SET closed = excluded.closed, \
             final_run = excluded.final_run, changed_at = excluded.changed_at, changed_by = \
             excluded.changed_by",
        ))
        .bind(&state.period)
        .bind(i64::from(state.closed))
        .bind(state.final_run)
        .bind(&state.changed_at)
        .bind(&state.changed_by)
        .execute(&mut *tx)
        .await?;
        let describe = |closed: bool| if closed { "closed" } else { "open" }.to_string();
        self.insert_change(
            &mut tx,
            &Change {
                at: state.changed_at.clone(),
                actor: state.changed_by.clone(),
                entity: "period".to_string(),
                entity_id: state.period.clone(),
                field: "state".to_string(),
                old_value: Some(describe(was)),
                new_value: Some(match state.final_run {
                    Some(run) if state.closed => format!("closed, final run {run}"),
                    _ => describe(state.closed),
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn finding_page(&self, query: &FindingQuery) -> StoreResult<FindingPage> {
        self.query_finding_page(query).await
    }

    async fn finding_by_short_id(
        &self,
        run: i64,
        short_id: &str,
        today: &str,
    ) -> StoreResult<Option<FindingRow>> {
        self.query_finding_by_short_id(run, short_id, today).await
    }

    async fn run_totals(&self, run: i64, today: &str, top: u64) -> StoreResult<RunTotals> {
        self.query_run_totals(run, today, top).await
    }

    async fn run_state_counts(
        &self,
        run: i64,
        total: u64,
        today: &str,
    ) -> StoreResult<Vec<(ReviewState, u64)>> {
        self.query_state_counts(run, total, today).await
    }

    async fn fingerprint_of(&self, short_id: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query(&self.sql("SELECT fingerprint FROM finding_ids WHERE short_id = $1"))
            .bind(short_id.to_ascii_lowercase())
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(row) => Some(row.try_get("fingerprint")?),
            None => None,
        })
    }
}
