//! Migrations, applied on start: each once, in order, in a transaction, and
//! recorded in `schema_migrations`. The SQL is shared; the few types that
//! differ are filled in per backend.

use sqlx::{AnyPool, Executor, Row};

use crate::error::StoreResult;
use crate::sql_store::Backend;

/// (version, SQL), in order. Append only: a migration once released never
/// changes.
const MIGRATIONS: [(i64, &str); 6] = [
    (1, include_str!("migrations/0001_workspace.sql")),
    (2, include_str!("migrations/0002_runs_and_reviews.sql")),
    (3, include_str!("migrations/0003_review_action.sql")),
    (4, include_str!("migrations/0004_users.sql")),
    (5, include_str!("migrations/0005_mapping_rejections.sql")),
    (6, include_str!("migrations/0006_findings_page_index.sql")),
];

fn for_backend(sql: &str, backend: Backend) -> String {
    let (id, blob) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"),
        Backend::Postgres => ("BIGSERIAL PRIMARY KEY", "BYTEA"),
    };
    sql.replace("{id}", id).replace("{blob}", blob)
}

/// Applies what is missing; returns the versions applied now.
pub(crate) async fn migrate(pool: &AnyPool, backend: Backend) -> StoreResult<Vec<i64>> {
    pool.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT)",
    )
    .await?;
    let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| row.try_get::<i64, _>("version"))
        .collect::<Result<_, _>>()?;
    let mut applied_now = Vec::new();
    for (version, sql) in MIGRATIONS {
        if applied.contains(&version) {
            continue;
        }
        let mut tx = pool.begin().await?;
        tx.execute(sqlx::raw_sql(&for_backend(sql, backend)))
            .await?;
        let insert = match backend {
            Backend::Sqlite => {
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)"
            }
            Backend::Postgres => {
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)"
            }
        };
        sqlx::query(insert)
            .bind(version)
            .bind(jiff::Timestamp::now().to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version, "applied migration");
        applied_now.push(version);
    }
    Ok(applied_now)
}
