//! The store on SQLite (embedded, one file, WAL) or PostgreSQL (shared),
//! through one implementation: the SQL is written once with `$1`
//! placeholders and each backend's few differences (placeholders, key and
//! binary column types, connection settings) are applied here.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

use crate::error::{StoreError, StoreResult};
use crate::migrate::migrate;
use crate::records::{AuditEntry, Change, ImportKind, ImportOutcome, ImportRecord, NewImport};
use crate::store::Store;

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The store over a connection pool.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
}

impl SqlStore {
    /// Opens (creating if needed) the SQLite database at `path`, with WAL
    /// so readers never block the writer, and applies the migrations.
    pub async fn open_sqlite(path: &std::path::Path) -> StoreResult<SqlStore> {
        sqlx::any::install_default_drivers();
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(|connection, _| {
                Box::pin(async move {
                    connection
                        .execute(
                            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                             PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                        )
                        .await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let store = SqlStore {
            pool,
            backend: Backend::Sqlite,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Connects to PostgreSQL at `url` and applies the migrations. With
    /// `schema`, everything lives in that schema (created if needed): tests
    /// share one database without seeing each other.
    pub async fn open_postgres(url: &str, schema: Option<&str>) -> StoreResult<SqlStore> {
        sqlx::any::install_default_drivers();
        let mut options = AnyPoolOptions::new().max_connections(8);
        if let Some(schema) = schema {
            if !schema
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(StoreError::Other(format!("bad schema name {schema}")));
            }
            let setup = AnyPool::connect(url).await?;
            setup
                .execute(format!("CREATE SCHEMA IF NOT EXISTS {schema}").as_str())
                .await?;
            setup.close().await;
            let search_path = format!("SET search_path TO {schema}");
            options = options.after_connect(move |connection, _| {
                let search_path = search_path.clone();
                Box::pin(async move {
                    connection.execute(search_path.as_str()).await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(url).await?;
        let store = SqlStore {
            pool,
            backend: Backend::Postgres,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Opens a store from a URL: `postgres://...` or `postgresql://...`
    /// for PostgreSQL, anything else is a SQLite file path
    /// (`sqlite://` prefix optional).
    pub async fn open(url: &str) -> StoreResult<SqlStore> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            SqlStore::open_postgres(url, None).await
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            SqlStore::open_sqlite(std::path::Path::new(path)).await
        }
    }

    async fn migrate(&self) -> StoreResult<()> {
        let applied = migrate(&self.pool, self.backend).await?;
        if applied.contains(&4) {
            // Runs stored before short ids were kept get theirs now.
            self.backfill_short_ids().await?;
        }
        Ok(())
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Drops a PostgreSQL schema and everything in it (the story test's
    /// own schema). Connects without migrating anything.
    pub async fn drop_postgres_schema(url: &str, schema: &str) -> StoreResult<()> {
        if !schema
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(StoreError::Other(format!("cannot drop schema {schema}")));
        }
        sqlx::any::install_default_drivers();
        let pool = AnyPool::connect(url).await?;
        pool.execute(format!("DROP SCHEMA {schema} CASCADE").as_str())
            .await?;
        pool.close().await;
        Ok(())
    }

    /// Starts a write transaction. SQLite takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a transaction that reads first and upgrades
    /// later fails with "database is locked" when another writer is
    /// active, where waiting (busy_timeout) would have been right.
    pub(crate) async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// The SQL text for this backend: SQLite numbers its placeholders
    /// `?1`, PostgreSQL `$1`.
    pub(crate) fn sql(&self, text: &str) -> String {
        match self.backend {
            Backend::Postgres => text.to_string(),
            Backend::Sqlite => sqlite_placeholders(text),
        }
    }
}

/// `$1` -> `?1` outside quoted strings.
pub(crate) fn sqlite_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '$' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

const IMPORT_COLUMNS: &str = "id, period, kind, source, file_name, file_hash, imported_at, \
                              imported_by, rows, newest_seen";

fn import_from_row(row: &AnyRow) -> StoreResult<ImportRecord> {
    let kind: String = row.try_get("kind")?;
    Ok(ImportRecord {
        id: row.try_get("id")?,
        period: row.try_get("period")?,
        kind: ImportKind::parse(&kind)
            .ok_or_else(|| StoreError::Other(format!("unknown import kind {kind}")))?,
        source: row.try_get("source")?,
        file_name: row.try_get("file_name")?,
        file_hash: row.try_get("file_hash")?,
        imported_at: row.try_get("imported_at")?,
        imported_by: row.try_get("imported_by")?,
        rows: u64::try_from(row.try_get::<i64, _>("rows")?).unwrap_or_default(),
        newest_seen: row.try_get("newest_seen")?,
    })
}

impl SqlStore {
    pub(crate) async fn insert_change(
        &self,
        executor: &mut sqlx::AnyConnection,
        change: &Change,
    ) -> StoreResult<()> {
        sqlx::query(&self.sql(
            "INSERT INTO audit (at, actor, entity, entity_id, field, old_value, new_value) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        ))
        .bind(&change.at)
        .bind(&change.actor)
        .bind(&change.entity)
        .bind(&change.entity_id)
        .bind(&change.field)
        .bind(change.old_value.as_deref())
        .bind(change.new_value.as_deref())
        .execute(&mut *executor)
        .await?;
        Ok(())
    }
}

impl Store for SqlStore {
    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query(&self.sql("SELECT value FROM settings WHERE key = $1"))
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => Some(row.try_get("value")?),
            None => None,
        })
    }

    async fn set_setting(&self, key: &str, value: &str, actor: &str, at: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let old: Option<String> =
            match sqlx::query(&self.sql("SELECT value FROM settings WHERE key = $1"))
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?
            {
                Some(row) => Some(row.try_get("value")?),
                None => None,
            };
        if old.as_deref() == Some(value) {
            return Ok(());
        }
        sqlx::query(&self.sql(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        ))
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
        self.insert_change(
            &mut tx,
            &Change {
                at: at.to_string(),
                actor: actor.to_string(),
                entity: "setting".to_string(),
                entity_id: key.to_string(),
                field: "value".to_string(),
                old_value: old,
                new_value: Some(value.to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_imports(&self, imports: &[NewImport]) -> StoreResult<Vec<ImportOutcome>> {
        let mut tx = self.begin_write().await?;
        let mut outcomes = Vec::with_capacity(imports.len());
        for import in imports {
            let existing = sqlx::query(&self.sql(
                "SELECT id FROM imports WHERE period = $1 AND kind = $2 AND source = $3 \
                 AND file_hash = $4",
            ))
            .bind(&import.period)
            .bind(import.kind.as_str())
            .bind(&import.source)
            .bind(&import.file_hash)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = existing {
                outcomes.push(ImportOutcome::AlreadyImported(row.try_get("id")?));
                continue;
            }
            let row = sqlx::query(&self.sql(
                "INSERT INTO imports (period, kind, source, file_name, file_hash, imported_at, \
                 imported_by, rows, newest_seen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 RETURNING id",
            ))
            .bind(&import.period)
            .bind(import.kind.as_str())
            .bind(&import.source)
            .bind(&import.file_name)
            .bind(&import.file_hash)
            .bind(&import.imported_at)
            .bind(&import.imported_by)
            .bind(i64::try_from(import.rows).unwrap_or(i64::MAX))
            .bind(import.newest_seen.as_deref())
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = row.try_get("id")?;
            sqlx::query(
                &self.sql("INSERT INTO import_contents (import_id, content) VALUES ($1, $2)"),
            )
            .bind(id)
            .bind(import.content.as_slice())
            .execute(&mut *tx)
            .await?;
            self.insert_change(
                &mut tx,
                &Change {
                    at: import.imported_at.clone(),
                    actor: import.imported_by.clone(),
                    entity: "import".to_string(),
                    entity_id: id.to_string(),
                    field: "created".to_string(),
                    old_value: None,
                    new_value: Some(format!(
                        "{} {} {} for {} ({} rows)",
                        import.kind.as_str(),
                        import.source,
                        import.file_name,
                        import.period,
                        import.rows
                    )),
                },
            )
            .await?;
            for change in &import.changes {
                self.insert_change(&mut tx, change).await?;
            }
            outcomes.push(ImportOutcome::Stored(id));
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn imports(&self, period: Option<&str>) -> StoreResult<Vec<ImportRecord>> {
        let rows = match period {
            Some(period) => {
                sqlx::query(&self.sql(&format!(
                    "SELECT {IMPORT_COLUMNS} FROM imports WHERE period = $1 ORDER BY id"
                )))
                .bind(period)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!("SELECT {IMPORT_COLUMNS} FROM imports ORDER BY id"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(import_from_row).collect()
    }

    async fn import_content(&self, id: i64) -> StoreResult<Vec<u8>> {
        let row =
            sqlx::query(&self.sql("SELECT content FROM import_contents WHERE import_id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("import {id}")))?;
        Ok(row.try_get("content")?)
    }

    async fn latest_imports(&self, period: &str) -> StoreResult<Vec<ImportRecord>> {
        // Period data: the latest import of each (kind, source) of the
        // period. Reference data (catalogue, mappings): the latest import of
        // the newest period at or before it - by period first, so a mapping
        // stored later for an earlier period never replaces a later
        // period's own.
        let rows = sqlx::query(&self.sql(&format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE period <= $1 ORDER BY period, id"
        )))
        .bind(period)
        .fetch_all(&self.pool)
        .await?;
        let mut latest: Vec<ImportRecord> = Vec::new();
        for row in &rows {
            let import = import_from_row(row)?;
            if !import.kind.is_reference() && import.period != period {
                continue;
            }
            match latest
                .iter_mut()
                .find(|known| known.kind == import.kind && known.source == import.source)
            {
                Some(known) => *known = import,
                None => latest.push(import),
            }
        }
        latest.sort_by(|a, b| (a.kind, &a.source).cmp(&(b.kind, &b.source)));
        Ok(latest)
    }

    async fn periods(&self) -> StoreResult<Vec<String>> {
        let rows = sqlx::query("SELECT DISTINCT period FROM imports ORDER BY period")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| row.try_get::<String, _>("period").map_err(StoreError::from))
            .collect()
    }

    async fn record_change(&self, change: &Change) -> StoreResult<()> {
        let mut connection = self.pool.acquire().await?;
        self.insert_change(&mut connection, change).await
    }

    async fn audit(&self, entity: Option<&str>) -> StoreResult<Vec<AuditEntry>> {
        let columns = "id, at, actor, entity, entity_id, field, old_value, new_value";
        let rows = match entity {
            Some(entity) => {
                sqlx::query(&self.sql(&format!(
                    "SELECT {columns} FROM audit WHERE entity = $1 ORDER BY id"
                )))
                .bind(entity)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!("SELECT {columns} FROM audit ORDER BY id"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    entity: row.try_get("entity")?,
                    entity_id: row.try_get("entity_id")?,
                    field: row.try_get("field")?,
                    old_value: row.try_get("old_value")?,
                    new_value: row.try_get("new_value")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_for_sqlite() {
        assert_eq!(
            sqlite_placeholders("SELECT '$1' FROM t WHERE a = $1 AND b = $12"),
            "SELECT '$1' FROM t WHERE a = ?1 AND b = ?12"
        );
    }
}
