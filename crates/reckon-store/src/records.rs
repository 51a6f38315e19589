//! What the store keeps, as plain data (no database types leak out).

/// What an import holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImportKind {
    Billing,
    Usage,
    Subscriptions,
    Clients,
    Products,
    ClientMap,
    ProductMap,
    MappingFile,
}

impl ImportKind {
    pub const ALL: [ImportKind; 8] = [
        ImportKind::Billing,
        ImportKind::Usage,
        ImportKind::Subscriptions,
        ImportKind::Clients,
        ImportKind::Products,
        ImportKind::ClientMap,
        ImportKind::ProductMap,
        ImportKind::MappingFile,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Billing => "billing",
            ImportKind::Usage => "usage",
            ImportKind::Subscriptions => "subscriptions",
            ImportKind::Clients => "clients",
            ImportKind::Products => "products",
            ImportKind::ClientMap => "client_map",
            ImportKind::ProductMap => "product_map",
            ImportKind::MappingFile => "mapping_file",
        }
    }

    pub fn parse(text: &str) -> Option<ImportKind> {
        ImportKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    /// Kinds that describe the workspace (catalogue and mappings) rather
    /// than one period's data: the latest import of each applies to every
    /// period after it.
    pub fn is_reference(self) -> bool {
        matches!(
            self,
            ImportKind::Clients
                | ImportKind::Products
                | ImportKind::ClientMap
                | ImportKind::ProductMap
                | ImportKind::MappingFile
        )
    }
}

/// An import about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImport {
    /// `YYYY-MM`.
    pub period: String,
    pub kind: ImportKind,
    /// The feed (`m365`, `ninjaone`), or `psa` for billing and reference
    /// data.
    pub source: String,
    pub file_name: String,
    /// SHA-256 of the original file, hex.
    pub file_hash: String,
    /// RFC 3339, from the caller's clock.
    pub imported_at: String,
    pub imported_by: String,
    pub rows: u64,
    /// The newest last-seen instant in the records, when they have one.
    pub newest_seen: Option<String>,
    /// The canonical records, as the canonical CSV (or TOML) text.
    pub content: Vec<u8>,
    /// What the import changes in the workspace (a mapping added, moved or
    /// removed), recorded in the audit trail with it.
    pub changes: Vec<Change>,
}

/// A stored import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: i64,
    pub period: String,
    pub kind: ImportKind,
    pub source: String,
    pub file_name: String,
    pub file_hash: String,
    pub imported_at: String,
    pub imported_by: String,
    pub rows: u64,
    pub newest_seen: Option<String>,
}

/// What storing an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    Stored(i64),
    /// The same file was already imported for this period, kind and
    /// source: nothing was stored, nothing is counted twice.
    AlreadyImported(i64),
}

/// One change, as the audit trail keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    /// What kind of thing changed (`import`, `setting`, `mapping`, ...).
    pub entity: String,
    pub entity_id: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// A change to record in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// A run about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRun {
    pub period: String,
    pub as_of: String,
    pub stale_days: u32,
    pub created_at: String,
    pub created_by: String,
    /// The imports it read.
    pub inputs: Vec<i64>,
    pub pairs: u64,
    pub underbilled: String,
    pub overbilled: String,
}

/// A stored run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub id: i64,
    pub period: String,
    pub as_of: String,
    pub stale_days: u32,
    pub created_at: String,
    pub created_by: String,
    pub inputs: Vec<i64>,
    pub pairs: u64,
    pub underbilled: String,
    pub overbilled: String,
    pub finding_count: u64,
}

/// A finding as a run stores it. `fingerprint` (kind, client, product,
/// source, key) recognises the same exception in another run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFinding {
    pub fingerprint: String,
    pub kind: String,
    pub client_id: String,
    pub product_id: String,
    pub source: String,
    pub item_key: String,
    pub billed: String,
    pub actual: String,
    pub impact: String,
    pub money_at_stake: String,
    pub cause: String,
    pub priority: String,
    pub explanation: String,
    /// The whole finding as findings.json writes it.
    pub detail: String,
}

impl StoredFinding {
    /// The fingerprint of a finding's identity.
    pub fn fingerprint_of(
        kind: &str,
        client_id: &str,
        product_id: &str,
        source: &str,
        item_key: &str,
    ) -> String {
        format!("{kind}|{client_id}|{product_id}|{source}|{item_key}")
    }
}

/// Where a reviewer has put a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewState {
    Open,
    Acknowledged,
    Resolved,
    Ignored,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Open => "open",
            ReviewState::Acknowledged => "acknowledged",
            ReviewState::Resolved => "resolved",
            ReviewState::Ignored => "ignored",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewState> {
        match text.trim().to_ascii_lowercase().as_str() {
            "open" => Some(ReviewState::Open),
            "acknowledged" | "ack" => Some(ReviewState::Acknowledged),
            "resolved" => Some(ReviewState::Resolved),
            "ignored" => Some(ReviewState::Ignored),
            _ => None,
        }
    }
}

/// A finding's review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub fingerprint: String,
    pub state: ReviewState,
    /// Why (required to ignore).
    pub reason: String,
    /// For an ignored finding: the day the ignore ends (`YYYY-MM-DD`), or
    /// empty.
    pub expires_on: String,
    pub assignee: String,
    /// Marked for a change in the PSA (proposed adjustments).
    pub for_action: bool,
    pub updated_at: String,
    pub updated_by: String,
}

/// What a reviewer asks to change; a field left `None` keeps what the
/// review has. The command line and the web both make reviews with it, so
/// they follow the same rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewChange {
    pub state: Option<ReviewState>,
    pub reason: Option<String>,
    /// `YYYY-MM-DD`: the last day an ignore holds.
    pub until: Option<String>,
    pub assignee: Option<String>,
    pub for_action: Option<bool>,
}

impl ReviewChange {
    /// The review of `fingerprint` after this change, or `None` when it
    /// changes nothing (nothing is written, nothing audited). An ignore
    /// keeps its end date unless a new one is given; any other state has
    /// none.
    pub fn applied_to(
        &self,
        fingerprint: &str,
        current: Option<&Review>,
        at: &str,
        by: &str,
    ) -> Option<Review> {
        let state = self
            .state
            .or(current.map(|r| r.state))
            .unwrap_or(ReviewState::Open);
        let kept = |given: &Option<String>, now: fn(&Review) -> &String| {
            given
                .clone()
                .or_else(|| current.map(|r| now(r).clone()))
                .unwrap_or_default()
        };
        let next = Review {
            fingerprint: fingerprint.to_string(),
            state,
            reason: kept(&self.reason, |r| &r.reason),
            expires_on: if state == ReviewState::Ignored {
                kept(&self.until, |r| &r.expires_on)
            } else {
                String::new()
            },
            assignee: kept(&self.assignee, |r| &r.assignee),
            for_action: self
                .for_action
                .unwrap_or_else(|| current.is_some_and(|r| r.for_action)),
            updated_at: at.to_string(),
            updated_by: by.to_string(),
        };
        let unchanged = match current {
            Some(current) => {
                (
                    current.state,
                    &current.reason,
                    &current.expires_on,
                    &current.assignee,
                    current.for_action,
                ) == (
                    next.state,
                    &next.reason,
                    &next.expires_on,
                    &next.assignee,
                    next.for_action,
                )
            }
            None => {
                next.state == ReviewState::Open
                    && next.reason.is_empty()
                    && next.assignee.is_empty()
                    && !next.for_action
            }
        };
        (!unchanged).then_some(next)
    }
}

/// A note on a finding: kept forever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: i64,
    pub fingerprint: String,
    pub at: String,
    pub author: String,
    pub body: String,
}

/// Whether a period is closed, and its final run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodState {
    pub period: String,
    pub closed: bool,
    pub final_run: Option<i64>,
    pub changed_at: String,
    pub changed_by: String,
}

/// What a user of the web app (or an API token) may do. Each role may do
/// everything the roles below it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Reviews findings: states, notes, assignees.
    Reviewer,
    /// Also users, settings and mappings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Reviewer, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text.trim().to_ascii_lowercase())
    }
}

/// A user about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub name: String,
    /// The argon2 PHC string; never the password.
    pub password_hash: String,
    pub role: Role,
    pub created_at: String,
    /// Who created it (a user's name, or the login name at the terminal).
    pub created_by: String,
}

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: String,
    pub disabled: bool,
}

/// A sign-in session: the hash of the cookie's token, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    /// The token every form and cookie-authenticated API write of this
    /// session must carry.
    pub csrf_token: String,
    pub created_at: String,
    pub expires_at: String,
}

/// An API token about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub name: String,
    pub token_hash: String,
    pub role: Role,
    pub created_by: String,
    pub created_at: String,
}

/// A stored API token (its hash only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub token_hash: String,
    pub role: Role,
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// When it was revoked: it signs nothing in since.
    pub revoked_at: Option<String>,
}

/// How a finding list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FindingSort {
    /// Money at stake (default: largest first).
    #[default]
    Money,
    /// Monthly impact, signed.
    Impact,
    Kind,
    Client,
    Product,
    State,
    Priority,
}

impl FindingSort {
    pub const ALL: [FindingSort; 7] = [
        FindingSort::Money,
        FindingSort::Impact,
        FindingSort::Kind,
        FindingSort::Client,
        FindingSort::Product,
        FindingSort::State,
        FindingSort::Priority,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingSort::Money => "money",
            FindingSort::Impact => "impact",
            FindingSort::Kind => "kind",
            FindingSort::Client => "client",
            FindingSort::Product => "product",
            FindingSort::State => "state",
            FindingSort::Priority => "priority",
        }
    }

    pub fn parse(text: &str) -> Option<FindingSort> {
        FindingSort::ALL
            .into_iter()
            .find(|sort| sort.as_str() == text)
    }
}

/// One page of a run's findings: every filter is optional and exact, except
/// `search` (a part of the short id, client, product, key or explanation).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FindingQuery {
    pub run: i64,
    pub kind: Option<String>,
    pub client: Option<String>,
    pub product: Option<String>,
    pub source: Option<String>,
    pub state: Option<ReviewState>,
    /// An assignee's name; the empty string asks for unassigned findings.
    pub assignee: Option<String>,
    pub search: Option<String>,
    /// `YYYY-MM-DD`: states are as of this day (an ignore may have ended).
    pub today: String,
    pub sort: FindingSort,
    pub descending: bool,
    pub offset: u64,
    pub limit: u64,
}

/// A finding in a list, with its review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRow {
    pub short_id: String,
    pub finding: StoredFinding,
    pub review: Option<Review>,
    /// The review state as of the query's day.
    pub state: ReviewState,
}

/// One page and how many findings match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingPage {
    pub total: u64,
    pub rows: Vec<FindingRow>,
}

/// Money (in cents, exact) and counts of one run, for a dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunTotals {
    pub by_kind: Vec<(String, u64)>,
    pub by_state: Vec<(ReviewState, u64)>,
    /// The clients with the most money at stake, largest first.
    pub top_clients: Vec<ClientMoney>,
}

/// A client's money in a run, in cents.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientMoney {
    pub client_id: String,
    pub findings: u64,
    pub underbilled_cents: i64,
    pub overbilled_cents: i64,
    pub at_stake_cents: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored_until(day: &str) -> Review {
        Review {
            fingerprint: "f".to_string(),
            state: ReviewState::Ignored,
            reason: "flat fee".to_string(),
            expires_on: day.to_string(),
            assignee: String::new(),
            for_action: false,
            updated_at: "2026-11-01T00:00:00Z".to_string(),
            updated_by: "ann".to_string(),
        }
    }

    #[test]
    fn a_change_keeps_what_it_does_not_name_and_nothing_is_no_change() {
        let current = ignored_until("2027-01-31");
        let assign = ReviewChange {
            assignee: Some("bob".to_string()),
            ..ReviewChange::default()
        };
        let next = assign
            .applied_to("f", Some(&current), "2026-11-02T00:00:00Z", "bob")
            .expect("a change");
        assert_eq!(next.expires_on, "2027-01-31", "the ignore keeps its end");
        assert_eq!(
            (next.state, next.reason.as_str()),
            (ReviewState::Ignored, "flat fee")
        );
        assert_eq!(next.updated_by, "bob");
        let reopen = ReviewChange {
            state: Some(ReviewState::Open),
            ..ReviewChange::default()
        };
        let opened = reopen
            .applied_to("f", Some(&current), "t", "bob")
            .expect("a change");
        assert_eq!(opened.expires_on, "", "only an ignore has an end date");
        // Asking for what is already so writes nothing.
        let same = ReviewChange {
            state: Some(ReviewState::Ignored),
            ..ReviewChange::default()
        };
        assert_eq!(same.applied_to("f", Some(&current), "t", "bob"), None);
        assert_eq!(
            ReviewChange::default().applied_to("f", None, "t", "bob"),
            None
        );
    }
}
