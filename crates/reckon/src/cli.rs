//! Command-line arguments. Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// reckon: find what an MSP bills wrongly before the invoices go out.
#[derive(Debug, Parser)]
#[command(name = "reckon", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reconcile a canonical data set from files and write the results.
    Run(RunArgs),
    /// Reconcile the built-in demo MSP and print what it finds.
    Demo(DemoArgs),
    /// Turn PSA and vendor exports (CSV, XLSX, JSON payloads) into the
    /// canonical files `reckon run --data` reads. Each file's source profile
    /// is detected from its headers or JSON keys.
    Convert(ConvertArgs),
    /// List the source profiles and the fields each needs, or save a custom
    /// profile (a column mapping for any CSV or workbook).
    Profiles(ProfilesArgs),
    /// Map the clients and SKUs of the usage feeds to the PSA's clients and
    /// products: ranked suggestions, and decisions kept in the data set's
    /// mapping files.
    Map(MapArgs),
    /// Create a workspace: reckon.toml and its database (SQLite by default,
    /// or PostgreSQL with --database-url postgres://...).
    Init(InitArgs),
    /// Store exports in the workspace as immutable snapshots of a period:
    /// canonical files as they are, PSA and vendor exports converted.
    Import(ImportArgs),
    /// List the workspace's imports.
    Imports(ImportsArgs),
    /// Show the audit trail: every import, setting and mapping change.
    Audit(AuditArgs),
    /// List the workspace's stored runs.
    Runs(RunsArgs),
    /// List a run's findings with their review state and age.
    Findings(FindingsArgs),
    /// One finding: its numbers, evidence, review, notes and history.
    Show(ShowArgs),
    /// Review findings: acknowledge, resolve, ignore (with a reason and an
    /// optional end date) or reopen; assign; add a note.
    Review(ReviewArgs),
    /// Compare a run with an earlier one: new, recurring, changed and
    /// disappeared findings.
    Diff(DiffArgs),
    /// Close a period: its final run and review state are locked.
    Close(PeriodArgs),
    /// Reopen a closed period (an admin action, recorded).
    Reopen(PeriodArgs),
    /// Show or change workspace settings (every change is audited):
    /// `import_stale_days` (how old a feed's latest import may be before a
    /// run warns) and `currency` (the PSA's currency, shown in reports).
    Config(ConfigArgs),
    /// Write a report of a run for finance: an Excel workbook, CSV, JSON or
    /// a printable HTML report, for all clients or one (`--client`).
    Export(ExportArgs),
    /// Propose the changes to make in the PSA (agreement lines: current and
    /// proposed quantity, monthly money effect, the finding behind each),
    /// as a generic CSV or in a PSA's own shape. Nothing is sent anywhere.
    Adjustments(AdjustmentsArgs),
    /// Serve the review app in the browser (and its JSON API under /api/)
    /// on the workspace: dashboard, findings, evidence and review.
    Serve(ServeArgs),
    /// Users of the web app: add one (the first is usually an admin), list
    /// them.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for scripts (`Authorization: Bearer ...`), each with a
    /// role.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to listen on.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Start on the built-in demo data, in a temporary workspace (from any
    /// directory), with a demo admin whose password is printed here.
    #[arg(long)]
    pub demo: bool,
    /// The app is reached over https (behind a proxy): session cookies are
    /// marked Secure.
    #[arg(long)]
    pub https: bool,
    /// The reverse proxy's address: requests from it are counted against
    /// the client in its X-Forwarded-For (the sign-in limit), not against
    /// the proxy.
    #[arg(long, value_name = "IP")]
    pub trusted_proxy: Option<std::net::IpAddr>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password comes from $RECKON_PASSWORD, or is asked
    /// for twice.
    Add(UserAddArgs),
    /// List the users and their roles.
    List(UserListArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The user's sign-in name.
    pub name: String,
    /// admin (users, settings, mappings), reviewer (reviews findings) or
    /// viewer (reads only).
    #[arg(long, value_name = "ROLE", required_unless_present = "admin")]
    pub role: Option<String>,
    /// The same as --role admin.
    #[arg(long, conflicts_with = "role")]
    pub admin: bool,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct UserListArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make an API token with a role; it is printed once and kept only as a
    /// hash.
    Add(TokenAddArgs),
    /// List the API tokens (names, roles, last use; never the tokens).
    List(UserListArgs),
}

#[derive(Debug, Args)]
pub struct TokenAddArgs {
    /// A name saying what uses it (e.g. billing-script).
    pub name: String,
    /// admin, reviewer or viewer.
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

/// Which run a report is made from: a stored run of the workspace, or a
/// live reconciliation of files.
#[derive(Debug, Args)]
pub struct ReportInputArgs {
    /// A stored run (default: the latest run of the workspace).
    #[arg(long, value_name = "ID", conflicts_with = "data")]
    pub run: Option<i64>,
    /// Reconcile this canonical data set instead of reading a stored run
    /// (as `reckon run --data` takes it; needs --as-of).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// With --data: the instant usage is judged at.
    #[arg(long, value_name = "YYYY-MM-DD", requires = "data")]
    pub as_of: Option<String>,
    /// With --data: items last seen more than this many days before
    /// --as-of are stale.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub stale_days: u32,
    /// With --data: the PSA's currency (a workspace has its `currency`
    /// setting).
    #[arg(long, value_name = "CODE", default_value = "USD", requires = "data")]
    pub currency: String,
    /// Only this client (PSA client id or name): a per-client statement.
    #[arg(long, value_name = "NAME")]
    pub client: Option<String>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// An Excel workbook: Summary, Findings, Evidence and Mapping issues.
    Xlsx,
    /// A printable report: a cover with the totals, a page per client, the
    /// mapping issues (print it to PDF from a browser).
    Html,
    /// One row per finding (findings.csv columns).
    Csv,
    /// One row per item or billing line behind each finding.
    EvidenceCsv,
    /// The whole report as one JSON document (schema reckon.report/1).
    Json,
}

#[derive(Debug, Args)]
pub struct AdjustmentsArgs {
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// generic, connectwise, autotask or halopsa (default: the PSA the
    /// billing lines came from, else generic).
    #[arg(long, value_name = "SHAPE")]
    pub psa: Option<String>,
    /// Every under- and over-billed finding, not only those a reviewer
    /// marked for action (`reckon review ID --for-action`).
    #[arg(long)]
    pub all: bool,
    /// The day the changes take effect (default: the first day after the
    /// run's period or as-of date).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub effective: Option<String>,
    #[command(flatten)]
    pub input: ReportInputArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The format (default: from --out's extension).
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// The file to write (replaced whole, never half-written).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub input: ReportInputArgs,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// The setting to show or change (default: show them all).
    pub key: Option<String>,
    /// Its new value.
    pub value: Option<String>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    #[arg(long, value_name = "YYYY-MM")]
    pub period: Option<String>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct FindingsArgs {
    /// The run (default: the latest).
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    /// Only findings in this review state (open, acknowledged, resolved,
    /// ignored).
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    /// Only this kind (underbilled, stale_item, ...).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only this client id.
    #[arg(long, value_name = "ID")]
    pub client: Option<String>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The finding's id (as `reckon findings` shows it; a prefix is enough).
    pub id: String,
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Finding ids (as `reckon findings` shows them; a prefix is enough).
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// open, acknowledged, resolved or ignored (default: keep the state).
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    /// Why (needed to ignore).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// For an ignored finding: the last day the ignore holds.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<String>,
    /// Who should act on it.
    #[arg(long, value_name = "NAME")]
    pub assignee: Option<String>,
    /// A note to add (kept forever).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Mark for a change in the PSA: `reckon adjustments` proposes it.
    #[arg(long, conflicts_with = "no_action")]
    pub for_action: bool,
    /// Take the mark for a PSA change off.
    #[arg(long)]
    pub no_action: bool,
    /// The run the ids refer to (default: the latest).
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier run (default: the run before the later one).
    pub before: Option<i64>,
    /// The later run (default: the latest).
    pub after: Option<i64>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct PeriodArgs {
    #[arg(long, value_name = "YYYY-MM")]
    pub period: String,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

/// Where the workspace is and who acts in it.
#[derive(Debug, Args)]
pub struct WorkspaceArgs {
    /// The workspace directory (default: $RECKON_WORKSPACE, else the
    /// current directory or the nearest parent with a reckon.toml).
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// A database other than the workspace's (also $RECKON_DATABASE_URL).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Who is acting, for the audit trail (default: $RECKON_USER, else the
    /// login name).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to create the workspace in (default: the current one).
    pub dir: Option<PathBuf>,
    /// Use this database instead of reckon.db in the workspace.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Canonical files (billing.csv, usage.csv, client_map.csv, ...,
    /// mapping.toml) and PSA or vendor exports, in any mix.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The billing period, YYYY-MM (default: the month of the newest
    /// last-seen date in the files).
    #[arg(long, value_name = "YYYY-MM")]
    pub period: Option<String>,
    /// Where custom profiles are kept (as for `reckon convert`).
    #[arg(long, value_name = "DIR")]
    pub profiles_dir: Option<PathBuf>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct ImportsArgs {
    /// Only this period's imports.
    #[arg(long, value_name = "YYYY-MM")]
    pub period: Option<String>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only changes to this kind of thing (import, setting, mapping, ...).
    #[arg(long, value_name = "KIND")]
    pub entity: Option<String>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct MapArgs {
    #[command(subcommand)]
    pub command: MapCommand,
}

#[derive(Debug, Subcommand)]
pub enum MapCommand {
    /// Propose PSA clients for every unmapped client reference (and, with
    /// --products, PSA products for every unmapped SKU), best first, with
    /// the reason; report mapped references whose name has changed.
    Suggest(SuggestArgs),
    /// Record a mapping in client_map.csv or product_map.csv.
    Accept(DecideArgs),
    /// Record that a suggestion is wrong, so it is not proposed again.
    Reject(DecideArgs),
    /// Accept every client suggestion at or above the auto-map threshold
    /// that has no rival at that level.
    Auto(AutoArgs),
    /// Write every mapping (client_map.csv, product_map.csv, mapping.toml)
    /// and rule as one mapping.toml, to review and keep in version control.
    Export(MapExportArgs),
    /// Check a mapping.toml (syntax, and conflicts with the data set's
    /// other mappings) and make it the data set's mapping.toml.
    Import(MapImportArgs),
}

#[derive(Debug, Args)]
pub struct MapExportArgs {
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Where to write (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MapImportArgs {
    /// The mapping file to take in.
    pub file: PathBuf,
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
}

#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// The canonical data set (usage.csv, billing.csv; clients.csv,
    /// clients_seen.csv, products.csv and the mapping files when present).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Print JSON: an array with one object per suggestion.
    #[arg(long)]
    pub json: bool,
    /// Suggest products for unmapped SKUs instead of clients.
    #[arg(long)]
    pub products: bool,
    /// Suggestions per reference.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// `client` (a client reference to a PSA client) or `product` (a SKU
    /// to a PSA product).
    #[arg(value_parser = ["client", "product"])]
    pub kind: String,
    /// The feed (`m365`, `ninjaone`, ...).
    pub source: String,
    /// The client reference or SKU as the feed writes it.
    pub external_id: String,
    /// The PSA client id or product id.
    pub target: String,
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Units one item counts for (product mappings; default 1).
    #[arg(long, value_name = "N")]
    pub units: Option<String>,
    /// Replace an existing mapping of the reference to another target.
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Args)]
pub struct AutoArgs {
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Minimum score (never below the built-in auto-map threshold).
    #[arg(long, value_name = "SCORE")]
    pub threshold: Option<u8>,
    /// Show what would be mapped without writing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The exports to convert: CSV or other delimited text, XLSX, JSON.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Where to write billing.csv, usage.csv, subscriptions.csv,
    /// clients.csv, clients_seen.csv, products_seen.csv and skipped.csv.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Read every file with this profile instead of detecting it.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The billing period's as-of date (default: today). A PSA line bills
    /// when it is effective within that month; a usage status is judged
    /// at that instant.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// The source name usage records carry (default: the profile's).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// The client a per-tenant file belongs to when it does not say (a
    /// Microsoft 365 admin center export, a Defender machine list).
    #[arg(long, value_name = "ID")]
    pub client_ref: Option<String>,
    /// The name of the client given with --client-ref.
    #[arg(long, value_name = "NAME")]
    pub client_name: Option<String>,
    /// The sheet of a workbook to read (default: every sheet that matches
    /// a profile).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// The row holding the column names (default: found below any title).
    #[arg(long, value_name = "N")]
    pub header_row: Option<usize>,
    /// Stop at the first unreadable row instead of skipping and listing it.
    #[arg(long)]
    pub strict: bool,
    /// Where custom profiles are kept (default: $RECKON_PROFILES_DIR, else
    /// ~/.config/reckon/profiles).
    #[arg(long, value_name = "DIR")]
    pub profiles_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProfilesArgs {
    /// Check a custom profile file (TOML) and keep it under its name.
    #[arg(long, value_name = "FILE")]
    pub add: Option<PathBuf>,
    /// Where custom profiles are kept (default: $RECKON_PROFILES_DIR, else
    /// ~/.config/reckon/profiles).
    #[arg(long, value_name = "DIR")]
    pub profiles_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Directory with billing.csv, usage.csv, client_map.csv,
    /// product_map.csv, products.csv (and optionally clients.csv,
    /// mapping.toml). Without it, the run reads the workspace's imports.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// In a workspace: the period to reconcile, YYYY-MM (default: the
    /// latest period imported).
    #[arg(long, value_name = "YYYY-MM", conflicts_with = "data")]
    pub period: Option<String>,
    /// The instant usage is judged at: a date (00:00 UTC) or an RFC 3339
    /// instant.
    /// Required with --data; in a workspace, the period's last day.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Items last seen more than this many days before --as-of are stale.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub stale_days: u32,
    /// Where to write recon.csv, exceptions.csv and findings.json
    /// (required with --data).
    #[arg(long, value_name = "OUTDIR")]
    pub out: Option<PathBuf>,
    /// Threads for reading usage (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// How many of the largest findings the summary lists.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// In a workspace: refuse to run when a feed's latest import is stale
    /// or a feed of the previous period is missing (default: warn).
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Also write the demo's input files (DIR/data) and results
    /// (DIR/results) so you can see what they look like.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// How many of the largest findings the summary lists.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub top: usize,
}
