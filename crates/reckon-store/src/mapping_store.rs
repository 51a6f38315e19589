//! Mapping suggestions turned down in the web app, remembered so they are
//! never proposed again.

use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::records::Change;
use crate::sql_store::SqlStore;

/// A suggestion turned down: `suggested_id` (a PSA client or product id)
/// is not what `external_id` (a feed's client reference or SKU) of
/// `source` is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// `client` or `product`.
    pub kind: String,
    pub source: String,
    pub external_id: String,
    pub suggested_id: String,
    pub rejected_by: String,
    pub rejected_at: String,
}

/// Rejected mapping suggestions.
#[allow(async_fn_in_trait)]
pub trait MappingStore {
    /// Remembers a rejection (audited); rejecting it again changes nothing.
    async fn reject_suggestion(&self, rejection: &Rejection) -> StoreResult<()>;
    /// Every rejection, oldest first.
    async fn rejections(&self) -> StoreResult<Vec<Rejection>>;
}

impl MappingStore for SqlStore {
    async fn reject_suggestion(&self, rejection: &Rejection) -> StoreResult<()> {
        if !matches!(rejection.kind.as_str(), "client" | "product") {
            return Err(StoreError::Conflict(format!(
                "a rejection is of a client or a product suggestion, not {}",
                rejection.kind
            )));
        }
        let mut tx = self.begin_write().await?;
        let known = sqlx::query(&self.sql(
            "SELECT id FROM mapping_rejections WHERE kind = $1 AND source = $2 \
             AND external_id = $3 AND suggested_id = $4",
        ))
        .bind(&rejection.kind)
        .bind(&rejection.source)
        .bind(&rejection.external_id)
        .bind(&rejection.suggested_id)
        .fetch_optional(&mut *tx)
        .await?;
        if known.is_some() {
            return Ok(());
        }
        sqlx::query(&self.sql(
            "INSERT INTO mapping_rejections \
             (kind, source, external_id, suggested_id, rejected_by, rejected_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        ))
        .bind(&rejection.kind)
        .bind(&rejection.source)
        .bind(&rejection.external_id)
        .bind(&rejection.suggested_id)
        .bind(&rejection.rejected_by)
        .bind(&rejection.rejected_at)
        .execute(&mut *tx)
        .await?;
        self.insert_change(
            &mut tx,
            &Change {
                at: rejection.rejected_at.clone(),
                actor: rejection.rejected_by.clone(),
                entity: "mapping".to_string(),
                entity_id: format!(
                    "{} {} {}",
                    rejection.kind, rejection.source, rejection.external_id
                ),
                field: "rejected suggestion".to_string(),
                old_value: None,
                new_value: Some(rejection.suggested_id.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn rejections(&self) -> StoreResult<Vec<Rejection>> {
        let rows = sqlx::query(
            "SELECT kind, source, external_id, suggested_id, rejected_by, rejected_at \
             FROM mapping_rejections ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Rejection {
                    kind: row.try_get("kind")?,
                    source: row.try_get("source")?,
                    external_id: row.try_get("external_id")?,
                    suggested_id: row.try_get("suggested_id")?,
                    rejected_by: row.try_get("rejected_by")?,
                    rejected_at: row.try_get("rejected_at")?,
                })
            })
            .collect()
    }
}
