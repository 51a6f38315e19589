//! Source profiles: each turns one real PSA or vendor export (or API
//! payload) into canonical records, following that source's own rules for
//! what is billed and what is in use (`shared/DOMAIN.md`).
//!
//! A profile has parts (one per file kind: ConnectWise agreements,
//! additions and companies). Reference parts are read first, so that the
//! main parts can look up a contract's company or a SKU's name.

mod common;
mod custom;
mod registry;

pub mod backup;
pub mod m365;
pub mod psa;
pub mod rmm;
pub mod security;

use jiff::Timestamp;
use jiff::civil::Date;

pub use common::*;
pub use custom::{CustomProfile, CustomProfileError};
pub use registry::{Registry, builtin_profiles};

use crate::convert::{BillingOut, ClientSeen, ProductSeen, Side, SubscriptionOut, UsageOut};
use crate::input::{Location, Record};

/// What a profile reads and where its records go.
#[derive(Debug, Clone)]
pub struct ProfileSpec {
    /// The name used on the command line (`connectwise`, `ninjaone`).
    pub name: String,
    /// What a person calls it (`ConnectWise Manage agreement additions`).
    pub title: String,
    /// The `source` its usage records carry; empty for a PSA.
    pub source: String,
    pub side: Side,
    /// Its parts, in the order they are read: references first.
    pub parts: Vec<PartSpec>,
}

/// One kind of file a profile reads.
#[derive(Debug, Clone)]
pub struct PartSpec {
    pub name: String,
    pub description: String,
    /// Fields the file must have; `a|b` accepts either name.
    pub required: Vec<String>,
    /// Fields that make the match surer, and that the profile reads when
    /// present.
    pub optional: Vec<String>,
    /// For JSON: the envelope key the records sit under, when the API has
    /// one that tells this part from others.
    pub envelope: Option<String>,
    /// Whether a main part cannot work without this reference part.
    pub needed: bool,
    pub role: PartRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartRole {
    /// Looked up by other parts (companies, contracts, SKU lists).
    Reference,
    /// Produces the records.
    Main,
}

impl PartSpec {
    pub fn new(name: &str, role: PartRole, description: &str) -> PartSpec {
        PartSpec {
            name: name.to_string(),
            description: description.to_string(),
            required: Vec::new(),
            optional: Vec::new(),
            envelope: None,
            needed: false,
            role,
        }
    }

    pub fn required(mut self, fields: &[&str]) -> PartSpec {
        self.required = fields.iter().map(|f| f.to_string()).collect();
        self
    }

    pub fn optional(mut self, fields: &[&str]) -> PartSpec {
        self.optional = fields.iter().map(|f| f.to_string()).collect();
        self
    }

    pub fn envelope(mut self, key: &str) -> PartSpec {
        self.envelope = Some(key.to_string());
        self
    }

    /// The main parts cannot be converted without this reference.
    pub fn needed(mut self) -> PartSpec {
        self.needed = true;
        self
    }
}

/// What the whole conversion is for.
#[derive(Debug, Clone)]
pub struct Context {
    /// The instant "now" means for statuses and dates (end of the period).
    pub as_of: Timestamp,
    /// The billing period: its first and last day.
    pub period_start: Date,
    pub period_end: Date,
    /// Overrides the profile's source name (`--source`).
    pub source: Option<String>,
    /// The client of a per-tenant file that does not name it (a Microsoft
    /// 365 admin center export, a Defender machine list): `--client-ref`.
    pub client_ref: Option<String>,
    pub client_name: Option<String>,
}

impl Context {
    /// A context for the calendar month that ends at or contains `as_of`.
    pub fn for_as_of(as_of: Timestamp) -> Context {
        let day = as_of.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        Context {
            as_of,
            period_start: day.first_of_month(),
            period_end: day.last_of_month(),
            source: None,
            client_ref: None,
            client_name: None,
        }
    }

    pub fn today(&self) -> Date {
        self.as_of.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
    }
}

/// What became of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It produced records (or filled a reference).
    Used,
    /// Deliberately not used: the reason a finance reader would accept
    /// ("not billable: DoNotBill", "cancelled 2026-10-15").
    Excluded(String),
    /// It could not be read: which field and why.
    Unreadable { column: String, problem: String },
}

impl Outcome {
    pub fn unreadable(column: &str, problem: impl Into<String>) -> Outcome {
        Outcome::Unreadable {
            column: column.to_string(),
            problem: problem.into(),
        }
    }
}

/// Where a profile sends its records.
pub trait Emit {
    fn billing(&mut self, line: BillingOut);
    fn usage(&mut self, record: UsageOut);
    fn subscription(&mut self, subscription: SubscriptionOut);
    fn client(&mut self, client: ClientSeen);
    fn product(&mut self, product: ProductSeen);
    /// A record kept out that is worth reading: a PSA line that does not
    /// bill, a vendor row that is not counted and not emitted.
    fn note(&mut self, reason: &str, detail: &str);

    /// The file and place of the record being read, for a profile that
    /// keeps records to emit later (when a later file names their tenant).
    fn here(&self) -> (String, Location) {
        (String::new(), Location::Record(0))
    }

    /// A usage record read earlier, at `file` and `location`.
    fn usage_from(&mut self, record: UsageOut, _file: &str, _location: Location) {
        self.usage(record);
    }

    /// A subscription read earlier, at `file` and `location`.
    fn subscription_from(
        &mut self,
        subscription: SubscriptionOut,
        _file: &str,
        _location: Location,
    ) {
        self.subscription(subscription);
    }
}

/// One conversion by a profile: it keeps what its reference parts said.
pub trait ProfileRun {
    /// Called before the records of each file: per-entity payloads (one
    /// file per device or customer, the id only in the file's name) learn
    /// which entity they are about.
    fn start_file(&mut self, _part: &str, _file_name: &str, _out: &mut dyn Emit) {}

    /// Reads one record of the part named `part`. All records of reference
    /// parts come before any of a main part.
    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome;

    /// Called once after every record: for profiles that emit at the end
    /// (a de-duplication across records).
    fn finish(&mut self, _out: &mut dyn Emit) {}
}

/// Starts one conversion with a profile.
pub type StartRun = Box<dyn Fn(&Context) -> Box<dyn ProfileRun> + Send + Sync>;

/// A profile: its description and how to start a conversion with it.
pub struct Profile {
    pub spec: ProfileSpec,
    pub start: StartRun,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile").field("spec", &self.spec).finish()
    }
}

impl Profile {
    pub fn new<R: ProfileRun + 'static>(
        spec: ProfileSpec,
        start: impl Fn(&Context) -> R + Send + Sync + 'static,
    ) -> Profile {
        Profile {
            spec,
            start: Box::new(move |context| Box::new(start(context))),
        }
    }

    /// The source name its usage records carry in this conversion.
    pub fn source_name(&self, context: &Context) -> String {
        context
            .source
            .clone()
            .unwrap_or_else(|| self.spec.source.clone())
    }
}
