//! Users, sessions and API tokens on the SQL store.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{StoreError, StoreResult};
use crate::records::{ApiToken, Change, NewApiToken, NewUser, Role, Session, User};
use crate::sql_store::SqlStore;
use crate::store::UserStore;

const USER_COLUMNS: &str = "id, name, password_hash, role, created_at, disabled";
const TOKEN_COLUMNS: &str =
    "id, name, token_hash, role, created_by, created_at, last_used_at, revoked_at";

fn role_of(row: &AnyRow) -> StoreResult<Role> {
    let role: String = row.try_get("role")?;
    Role::parse(&role).ok_or_else(|| StoreError::Other(format!("unknown role {role}")))
}

fn user_from_row(row: &AnyRow) -> StoreResult<User> {
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        role: role_of(row)?,
        created_at: row.try_get("created_at")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

fn token_from_row(row: &AnyRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        token_hash: row.try_get("token_hash")?,
        role: role_of(row)?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn user_change(
    name: &str,
    field: &str,
    old: Option<String>,
    new: String,
    actor: &str,
    at: &str,
) -> Change {
    Change {
        at: at.to_string(),
        actor: actor.to_string(),
        entity: "user".to_string(),
        entity_id: name.to_string(),
        field: field.to_string(),
        old_value: old,
        new_value: Some(new),
    }
}

impl SqlStore {
    /// The user named `name`, in a transaction, or `NotFound`.
    async fn user_in(&self, connection: &mut sqlx::AnyConnection, name: &str) -> StoreResult<User> {
        let row =
            sqlx::query(&self.sql(&format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1")))
                .bind(name)
                .fetch_optional(&mut *connection)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("user {name}")))?;
        user_from_row(&row)
    }
}

impl UserStore for SqlStore {
    async fn user_count(&self) -> StoreResult<u64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(self.pool())
            .await?;
        Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or_default())
    }

    async fn add_user(&self, user: &NewUser, only_if_none: bool) -> StoreResult<i64> {
        let name = user.name.trim();
        if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
            return Err(StoreError::Conflict(
                "a user name must be 1 to 100 characters, without control characters".to_string(),
            ));
        }
        let mut tx = self.begin_write().await?;
        if only_if_none {
            // SQLite's write transaction already excludes other writers;
            // PostgreSQL's does not, so two first admins made at once
            // could both see no user: the table is locked against writers.
            if self.backend() == crate::sql_store::Backend::Postgres {
                sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await?;
            }
            let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
                .fetch_one(&mut *tx)
                .await?;
            if row.try_get::<i64, _>("n")? > 0 {
                return Err(StoreError::Conflict(
                    "setup is done: a user exists already".to_string(),
                ));
            }
        }
        let taken = sqlx::query(&self.sql("SELECT id FROM users WHERE name = $1"))
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "a user named {name} exists already"
            )));
        }
        let row = sqlx::query(&self.sql(
            "INSERT INTO users (name, password_hash, role, created_at, disabled) \
             VALUES ($1, $2, $3, $4, 0) RETURNING id",
        ))
        .bind(name)
        .bind(&user.password_hash)
        .bind(user.role.as_str())
        .bind(&user.created_at)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        self.insert_change(
            &mut tx,
            &user_change(
                name,
                "created",
                None,
                format!("role {}", user.role.as_str()),
                &user.created_by,
                &user.created_at,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn user_by_name(&self, name: &str) -> StoreResult<Option<User>> {
        let row =
            sqlx::query(&self.sql(&format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1")))
                .bind(name)
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY name"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    async fn set_user_role(
        &self,
        name: &str,
        role: Role,
        actor: &str,
        at: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let user = self.user_in(&mut tx, name).await?;
        if user.role == role {
            return Ok(());
        }
        sqlx::query(&self.sql("UPDATE users SET role = $1 WHERE id = $2"))
            .bind(role.as_str())
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        self.insert_change(
            &mut tx,
            &user_change(
                name,
                "role",
                Some(user.role.as_str().to_string()),
                role.as_str().to_string(),
                actor,
                at,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_user_disabled(
        &self,
        name: &str,
        disabled: bool,
        actor: &str,
        at: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let user = self.user_in(&mut tx, name).await?;
        if user.disabled == disabled {
            return Ok(());
        }
        sqlx::query(&self.sql("UPDATE users SET disabled = $1 WHERE id = $2"))
            .bind(i64::from(disabled))
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query(&self.sql("DELETE FROM sessions WHERE user_id = $1"))
                .bind(user.id)
                .execute(&mut *tx)
                .await?;
        }
        let describe = |disabled: bool| if disabled { "disabled" } else { "enabled" }.to_string();
        self.insert_change(
            &mut tx,
            &user_change(
                name,
                "state",
                Some(describe(user.disabled)),
                describe(disabled),
                actor,
                at,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_password_hash(
        &self,
        name: &str,
        password_hash: &str,
        actor: &str,
        at: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let user = self.user_in(&mut tx, name).await?;
        sqlx::query(&self.sql("UPDATE users SET password_hash = $1 WHERE id = $2"))
            .bind(password_hash)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        // A new password ends every session signed in with the old one.
        sqlx::query(&self.sql("DELETE FROM sessions WHERE user_id = $1"))
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        self.insert_change(
            &mut tx,
            &user_change(name, "password", None, "changed".to_string(), actor, at),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_session(&self, session: &Session) -> StoreResult<()> {
        // Sessions past their end are of no use to anyone: they go as new
        // ones come.
        sqlx::query(&self.sql("DELETE FROM sessions WHERE expires_at <= $1"))
            .bind(&session.created_at)
            .execute(self.pool())
            .await?;
        sqlx::query(&self.sql(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        ))
        .bind(&session.token_hash)
        .bind(session.user_id)
        .bind(&session.csrf_token)
        .bind(&session.created_at)
        .bind(&session.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: &str) -> StoreResult<Option<(Session, User)>> {
        let row = sqlx::query(&self.sql(
            "SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at AS session_created_at, \
             s.expires_at, u.id, u.name, u.password_hash, u.role, u.created_at, u.disabled \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let session = Session {
            token_hash: row.try_get("token_hash")?,
            user_id: row.try_get("user_id")?,
            csrf_token: row.try_get("csrf_token")?,
            created_at: row.try_get("session_created_at")?,
            expires_at: row.try_get("expires_at")?,
        };
        Ok(Some((session, user_from_row(&row)?)))
    }

    async fn end_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query(&self.sql("DELETE FROM sessions WHERE token_hash = $1"))
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn add_api_token(&self, token: &NewApiToken) -> StoreResult<i64> {
        let name = token.name.trim();
        if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
            return Err(StoreError::Conflict(
                "a token name must be 1 to 100 characters, without control characters".to_string(),
            ));
        }
        let mut tx = self.begin_write().await?;
        let taken = sqlx::query(&self.sql("SELECT id FROM api_tokens WHERE name = $1"))
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "an API token named {name} exists already"
            )));
        }
        let row = sqlx::query(&self.sql(
            "INSERT INTO api_tokens (name, token_hash, role, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        ))
        .bind(name)
        .bind(&token.token_hash)
        .bind(token.role.as_str())
        .bind(&token.created_by)
        .bind(&token.created_at)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        self.insert_change(
            &mut tx,
            &Change {
                at: token.created_at.clone(),
                actor: token.created_by.clone(),
                entity: "api_token".to_string(),
                entity_id: name.to_string(),
                field: "created".to_string(),
                old_value: None,
                new_value: Some(format!("role {}", token.role.as_str())),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn use_api_token(&self, token_hash: &str, now: &str) -> StoreResult<Option<ApiToken>> {
        let row = sqlx::query(&self.sql(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
        )))
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut token = token_from_row(&row)?;
        // Recorded at most once a minute: a busy script does not write on
        // every call.
        let stale = token
            .last_used_at
            .as_deref()
            .is_none_or(|last| last.get(..16) != now.get(..16));
        if stale {
            sqlx::query(&self.sql("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2"))
                .bind(now)
                .bind(token.id)
                .execute(self.pool())
                .await?;
            token.last_used_at = Some(now.to_string());
        }
        Ok(Some(token))
    }

    async fn api_tokens(&self) -> StoreResult<Vec<ApiToken>> {
        let rows = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY name"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    async fn revoke_api_token(&self, name: &str, actor: &str, at: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query(&self.sql(
                "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
            ))
            .bind(at)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("API token {name}")));
        }
        self.insert_change(
            &mut tx,
            &Change {
                at: at.to_string(),
                actor: actor.to_string(),
                entity: "api_token".to_string(),
                entity_id: name.to_string(),
                field: "revoked".to_string(),
                old_value: None,
                new_value: Some(at.to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
