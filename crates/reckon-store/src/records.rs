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
