//! The web's view of a run's findings: filtered, sorted and paged in SQL
//! (a run may hold 100,000 findings), with review state joined, and exact
//! money totals summed in integer cents.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{StoreError, StoreResult};
use crate::finding_state::{EFFECTIVE_STATE_SQL, short_id};
use crate::records::{
    ClientMoney, FindingPage, FindingQuery, FindingRow, FindingSort, Review, ReviewState, RunTotals,
};
use crate::sql_store::SqlStore;

/// The finding columns, read from `run_findings f`.
const F_COLUMNS: &str = "f.fingerprint, f.kind, f.client_id, f.product_id, f.source, \
                         f.item_key, f.billed, f.actual, f.impact, f.money_at_stake, f.cause, \
                         f.priority, f.explanation, f.detail";
/// The review columns, from `reviews r` (all NULL without a review).
const R_COLUMNS: &str = "r.state AS r_state, r.reason AS r_reason, r.expires_on AS r_expires_on, \
                         r.assignee AS r_assignee, r.for_action AS r_for_action, \
                         r.updated_at AS r_updated_at, r.updated_by AS r_updated_by";

/// Cents of a decimal text column: exact for the two-decimal amounts a run
/// stores, on both backends (SQLite has no decimal type).
fn cents(column: &str) -> String {
    format!("CAST(ROUND(CAST({column} AS NUMERIC) * 100) AS BIGINT)")
}

fn row_from(row: &AnyRow, today: &str) -> StoreResult<FindingRow> {
    let finding = crate::run_store::finding_from_row(row)?;
    let review = match row.try_get::<Option<String>, _>("r_state")? {
        None => None,
        Some(state) => Some(Review {
            fingerprint: finding.fingerprint.clone(),
            state: ReviewState::parse(&state)
                .ok_or_else(|| StoreError::Other(format!("unknown review state {state}")))?,
            reason: row.try_get("r_reason")?,
            expires_on: row.try_get("r_expires_on")?,
            assignee: row.try_get("r_assignee")?,
            for_action: row.try_get::<i64, _>("r_for_action")? != 0,
            updated_at: row.try_get("r_updated_at")?,
            updated_by: row.try_get("r_updated_by")?,
        }),
    };
    Ok(FindingRow {
        short_id: short_id(&finding.fingerprint),
        state: crate::finding_state::effective_state(review.as_ref(), today),
        finding,
        review,
    })
}

/// `%text%` for LIKE, its wildcards escaped with `\`.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A WHERE clause being built with numbered placeholders.
struct Filter {
    clauses: Vec<String>,
    values: Vec<String>,
}

impl Filter {
    fn bind(&mut self, value: String) -> String {
        self.values.push(value);
        // $1 is the run id.
        format!("${}", self.values.len() + 1)
    }
}

/// `like`: the backend's case-blind LIKE (SQLite's LIKE is case-blind for
/// ASCII; PostgreSQL's is ILIKE).
fn filter(query: &FindingQuery, like: &str) -> Filter {
    let mut filter = Filter {
        clauses: vec!["f.run_id = $1".to_string()],
        values: Vec::new(),
    };
    for (column, value) in [
        ("f.kind", &query.kind),
        ("f.client_id", &query.client),
        ("f.product_id", &query.product),
        ("f.source", &query.source),
    ] {
        if let Some(value) = value {
            let placeholder = filter.bind(value.clone());
            filter.clauses.push(format!("{column} = {placeholder}"));
        }
    }
    // State and assignee filters go through the reviews (a subset of the
    // findings) rather than joining every finding to its review.
    if let Some(state) = query.state {
        let today = filter.bind(query.today.clone());
        let expired = format!("(state = 'ignored' AND expires_on <> '' AND expires_on < {today})");
        if state == ReviewState::Open {
            filter.clauses.push(format!(
                "f.fingerprint NOT IN (SELECT fingerprint FROM reviews WHERE state <> 'open' \
                 AND NOT {expired})"
            ));
        } else {
            let wanted = filter.bind(state.as_str().to_string());
            filter.clauses.push(format!(
                "f.fingerprint IN (SELECT fingerprint FROM reviews WHERE state = {wanted} AND \
                 NOT {expired})"
            ));
        }
    }
    if let Some(assignee) = &query.assignee {
        if assignee.is_empty() {
            filter.clauses.push(
                "f.fingerprint NOT IN (SELECT fingerprint FROM reviews WHERE assignee <> '')"
                    .to_string(),
            );
        } else {
            let placeholder = filter.bind(assignee.clone());
            filter.clauses.push(format!(
                "f.fingerprint IN (SELECT fingerprint FROM reviews WHERE assignee = {placeholder})"
            ));
        }
    }
    if let Some(search) = query.search.as_deref().filter(|s| !s.trim().is_empty()) {
        let pattern = filter.bind(like_pattern(search));
        let id_start = filter.bind(search.trim().to_lowercase());
        let id_end = filter.bind(format!("{}g", search.trim().to_lowercase()));
        // A short id (or its start) is found through its index, not by
        // hashing every row: ids are hex, so those starting with `s` lie
        // between `s` and `s` + "g".
        filter.clauses.push(format!(
            "(f.fingerprint IN (SELECT i.fingerprint FROM finding_ids i WHERE i.short_id >= \
             {id_start} AND i.short_id < {id_end}) OR f.client_id {like} {pattern} \
             ESCAPE '\\' OR f.product_id {like} {pattern} ESCAPE '\\' OR \
             f.item_key {like} {pattern} ESCAPE '\\' OR f.explanation {like} \
             {pattern} ESCAPE '\\')"
        ));
    }
    filter
}

impl SqlStore {
    /// Keeps the short id of every fingerprint a run stores (a short id two
    /// fingerprints share stays with the first).
    pub(crate) async fn insert_short_ids(
        &self,
        connection: &mut sqlx::AnyConnection,
        fingerprints: &[&str],
    ) -> StoreResult<()> {
        // Many rows a statement, as a run's findings are stored.
        for chunk in fingerprints.chunks(500) {
            let values: Vec<String> = (0..chunk.len())
                .map(|row| format!("(${}, ${})", row * 2 + 1, row * 2 + 2))
                .collect();
            let insert = self.sql(&format!(
                "INSERT INTO finding_ids (short_id, fingerprint) VALUES {} ON CONFLICT DO NOTHING",
                values.join(", ")
            ));
            let mut query = sqlx::query(&insert);
            for fingerprint in chunk {
                query = query.bind(short_id(fingerprint)).bind(*fingerprint);
            }
            query.execute(&mut *connection).await?;
        }
        Ok(())
    }

    /// Short ids for the findings of runs stored before they were kept.
    pub(crate) async fn backfill_short_ids(&self) -> StoreResult<()> {
        let rows = sqlx::query(
            "SELECT DISTINCT f.fingerprint FROM run_findings f WHERE NOT EXISTS \
             (SELECT 1 FROM finding_ids i WHERE i.fingerprint = f.fingerprint)",
        )
        .fetch_all(self.pool())
        .await?;
        let fingerprints: Vec<String> = rows
            .iter()
            .map(|row| row.try_get::<String, _>("fingerprint"))
            .collect::<Result<_, _>>()?;
        if fingerprints.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        let borrowed: Vec<&str> = fingerprints.iter().map(String::as_str).collect();
        self.insert_short_ids(&mut tx, &borrowed).await?;
        tx.commit().await?;
        tracing::info!(
            findings = fingerprints.len(),
            "kept the short ids of stored findings"
        );
        Ok(())
    }

    pub(crate) async fn query_finding_page(
        &self,
        query: &FindingQuery,
    ) -> StoreResult<FindingPage> {
        let like = match self.backend() {
            crate::sql_store::Backend::Sqlite => "LIKE",
            crate::sql_store::Backend::Postgres => "ILIKE",
        };
        let mut filter = filter(query, like);
        let today = filter.bind(query.today.clone());
        let effective = EFFECTIVE_STATE_SQL.replace("$TODAY", &today);
        let order_by = match query.sort {
            FindingSort::Money => "CAST(f.money_at_stake AS NUMERIC)".to_string(),
            FindingSort::Impact => "CAST(f.impact AS NUMERIC)".to_string(),
            FindingSort::Kind => "f.kind".to_string(),
            FindingSort::Client => "f.client_id".to_string(),
            FindingSort::Product => "f.product_id".to_string(),
            FindingSort::State => effective.clone(),
            FindingSort::Priority => {
                "(CASE f.priority WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)".to_string()
            }
        };
        let direction = if query.descending { "DESC" } else { "ASC" };
        let needs_review = query.sort == FindingSort::State;
        let review_join = |needed: bool| {
            if needed {
                "LEFT JOIN reviews r ON r.fingerprint = f.fingerprint"
            } else {
                ""
            }
        };
        let where_clause = filter.clauses.join(" AND ");
        let limit = filter.bind(query.limit.min(1000).to_string());
        let offset = filter.bind(query.offset.to_string());
        // The page's fingerprints are chosen over the narrow columns alone;
        // only the page's own rows are then read whole. Ties are broken by
        // fingerprint in the sort's own direction, so that the default
        // order (money at stake) is the order of an index
        // (`run_findings_money_page`) and a late page needs no sort.
        // A search reads every row anyway: the page query counts the matches
        // as it goes (a window count) rather than scanning twice. Without
        // one, the page walks an index and stops early, and a separate count
        // is cheaper.
        let searching = query
            .search
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty());
        let window = if searching {
            ", COUNT(*) OVER () AS matches"
        } else {
            ", 0 AS matches"
        };
        let page_sql = self.sql(&format!(
            "SELECT {F_COLUMNS}, {R_COLUMNS}, p.matches FROM (SELECT f.fingerprint AS pf, \
             {order_by} AS sort_key{window} FROM run_findings f {inner_review} WHERE \
             {where_clause} ORDER BY sort_key \
             {direction}, f.fingerprint {direction} LIMIT CAST({limit} AS BIGINT) OFFSET \
             CAST({offset} AS BIGINT)) p JOIN run_findings f ON f.run_id = $1 AND \
             f.fingerprint = p.pf LEFT JOIN reviews r ON r.fingerprint = f.fingerprint \
             ORDER BY p.sort_key {direction}, f.fingerprint {direction}",
            inner_review = review_join(needs_review),
        ));
        let mut page = sqlx::query(&page_sql).bind(query.run);
        for value in &filter.values {
            page = page.bind(value.as_str());
        }
        let rows = page.fetch_all(self.pool()).await?;
        let counted = match rows.first() {
            Some(row) if searching => Some(row.try_get::<i64, _>("matches")?),
            _ => None,
        };
        // The count binds only the filter's own values (not today's, the
        // limit or the offset, which come last).
        let filter_values = filter.values.len() - 3;
        let count_sql = self.sql(&format!(
            "SELECT COUNT(*) AS n FROM run_findings f WHERE {where_clause}"
        ));
        let mut count = sqlx::query(&count_sql).bind(query.run);
        for value in &filter.values[..filter_values] {
            count = count.bind(value.as_str());
        }
        let total = match counted {
            Some(total) => total,
            // A search that matches nothing on its first page matches
            // nothing at all: no second scan to count.
            None if searching && query.offset == 0 => 0,
            None => count.fetch_one(self.pool()).await?.try_get::<i64, _>("n")?,
        };
        Ok(FindingPage {
            total: u64::try_from(total).unwrap_or_default(),
            rows: rows
                .iter()
                .map(|row| row_from(row, &query.today))
                .collect::<StoreResult<_>>()?,
        })
    }

    pub(crate) async fn query_finding_by_short_id(
        &self,
        run: i64,
        short: &str,
        today: &str,
    ) -> StoreResult<Option<FindingRow>> {
        let row = sqlx::query(&self.sql(&format!(
            "SELECT {F_COLUMNS}, {R_COLUMNS} FROM finding_ids i \
             JOIN run_findings f ON f.fingerprint = i.fingerprint AND f.run_id = $1 \
             LEFT JOIN reviews r ON r.fingerprint = f.fingerprint WHERE i.short_id = $2"
        )))
        .bind(run)
        .bind(short.to_ascii_lowercase())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| row_from(&row, today)).transpose()
    }

    pub(crate) async fn query_state_counts(
        &self,
        run: i64,
        total: u64,
        today: &str,
    ) -> StoreResult<Vec<(ReviewState, u64)>> {
        // Reviewed findings are counted through the reviews; the rest are
        // open.
        let effective = EFFECTIVE_STATE_SQL.replace("$TODAY", "$2");
        let mut reviewed = Vec::new();
        for row in sqlx::query(&self.sql(&format!(
            "SELECT {effective} AS state, COUNT(*) AS n FROM reviews r JOIN run_findings f \
             ON f.run_id = $1 AND f.fingerprint = r.fingerprint GROUP BY 1 ORDER BY 1"
        )))
        .bind(run)
        .bind(today)
        .fetch_all(self.pool())
        .await?
        {
            let state: String = row.try_get("state")?;
            let state = ReviewState::parse(&state)
                .ok_or_else(|| StoreError::Other(format!("unknown review state {state}")))?;
            let n = u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or_default();
            reviewed.push((state, n));
        }
        let not_open: u64 = reviewed
            .iter()
            .filter(|(state, _)| *state != ReviewState::Open)
            .map(|(_, n)| n)
            .sum();
        let mut by_state = vec![(ReviewState::Open, total.saturating_sub(not_open))];
        by_state.extend(
            reviewed
                .into_iter()
                .filter(|(state, _)| *state != ReviewState::Open),
        );
        Ok(by_state)
    }

    pub(crate) async fn query_run_totals(
        &self,
        run: i64,
        today: &str,
        top: u64,
    ) -> StoreResult<RunTotals> {
        let count = |row: &AnyRow| -> StoreResult<u64> {
            Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or_default())
        };
        let by_kind = sqlx::query(&self.sql(
            "SELECT kind, COUNT(*) AS n FROM run_findings WHERE run_id = $1 GROUP BY kind \
             ORDER BY kind",
        ))
        .bind(run)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| Ok((row.try_get::<String, _>("kind")?, count(row)?)))
        .collect::<StoreResult<Vec<_>>>()?;
        let total: u64 = by_kind.iter().map(|(_, n)| n).sum();
        let by_state = self.query_state_counts(run, total, today).await?;
        let impact = cents("impact");
        let top_clients = sqlx::query(&self.sql(&format!(
            "SELECT client_id, COUNT(*) AS n, \
             CAST(SUM(CASE WHEN {impact} > 0 THEN {impact} ELSE 0 END) AS BIGINT) AS under, \
             CAST(SUM(CASE WHEN {impact} < 0 THEN -{impact} ELSE 0 END) AS BIGINT) AS over, \
             CAST(SUM({stake}) AS BIGINT) AS stake \
             FROM run_findings WHERE run_id = $1 GROUP BY client_id \
             ORDER BY stake DESC, client_id LIMIT CAST($2 AS BIGINT)",
            stake = cents("money_at_stake")
        )))
        .bind(run)
        .bind(i64::try_from(top).unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(ClientMoney {
                client_id: row.try_get("client_id")?,
                findings: count(row)?,
                underbilled_cents: row.try_get("under")?,
                overbilled_cents: row.try_get("over")?,
                at_stake_cents: row.try_get("stake")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        Ok(RunTotals {
            by_kind,
            by_state,
            top_clients,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_patterns_escape_wildcards() {
        assert_eq!(like_pattern(" Contoso "), "%contoso%");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
