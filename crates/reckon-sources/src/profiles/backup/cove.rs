//! N-able Cove Data Protection: the JSON-RPC response of
//! `EnumerateAccountStatistics` (`result.result` holds one row per account,
//! each with `AccountId`, `PartnerId` and `Settings`, a list of single-key
//! objects keyed by column code: I1 device name, I8 customer, I18 computer
//! name, I6 last session (epoch seconds), I32 OS type, I81 physicality, I59
//! account type).
//!
//! Each Backup Manager account (I59 = 1) is one device item, by the short
//! lowercase computer name (I18, else the device name I1; the query has no
//! serial) so that it meets the same machine in RMM and EDR sources, the
//! full computer name staying in `hostname`; priced by kind:
//! `cove_server_physical`, `cove_server_virtual`, `cove_workstation`,
//! `cove_undefined`. Storage is included in Cove's device price, so it
//! yields no record. Microsoft 365 accounts (I59 = 2) are kept as
//! `m365_account` evidence: their seat counts need columns not confirmed.
//! Stale and reinstalled devices stay `active`: the engine buckets them by
//! `last_seen` and keeps the latest of a duplicated hostname.
//!
//! The whole response is one record; a row that cannot be read becomes a
//! note (with its reason) and the others are still used, but the response
//! is then reported unreadable, so that a lost row is never silent. A
//! JSON-RPC response whose rows do not have the account-statistics shape
//! (`AccountId` and `Settings`) is another method's: unreadable.

use super::shared::source_name;
use crate::convert::{ClientSeen, Measured, ProductSeen, Side, UsageOut};
use crate::input::Record;
use crate::profiles::{
    ACTIVE, Context, DeviceClass, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun,
    ProfileSpec, Step, device_identity, epoch_seconds_field, need, outcome,
};

const SOURCE: &str = "cove";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "N-able Cove Data Protection account statistics (JSON-RPC)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "account_statistics",
                PartRole::Main,
                "EnumerateAccountStatistics: one row per backup account",
            )
            .required(&["jsonrpc", "result.result"])
            .optional(&["visa", "id"]),
        ],
    };
    Profile::new(spec, |context: &Context| CoveRun {
        source: source_name(context, SOURCE),
    })
}

struct CoveRun {
    source: String,
}

/// One row's column values, read from its list of single-key objects.
struct Settings<'a> {
    items: Vec<Record<'a>>,
}

impl<'a> Settings<'a> {
    fn of(row: &Record<'a>) -> Settings<'a> {
        Settings {
            items: row.list("Settings"),
        }
    }

    /// The record holding `code`, to read it with the common helpers.
    fn holder(&self, code: &str) -> Option<&Record<'a>> {
        self.items.iter().find(|item| item.text(code).is_some())
    }

    fn text(&self, code: &str) -> &'a str {
        self.holder(code)
            .and_then(|item| item.text(code))
            .unwrap_or("")
    }
}

/// The SKU, its name and the device class of a device account.
fn device_kind(os_type: &str, physicality: &str) -> (&'static str, &'static str, DeviceClass) {
    match (os_type, physicality.to_ascii_lowercase().as_str()) {
        ("2", "virtual") => (
            "cove_server_virtual",
            "Cove server (virtual)",
            DeviceClass::VmGuest,
        ),
        ("2", _) => (
            "cove_server_physical",
            "Cove server (physical)",
            DeviceClass::Server,
        ),
        ("1", _) => (
            "cove_workstation",
            "Cove workstation",
            DeviceClass::Workstation,
        ),
        _ => (
            "cove_undefined",
            "Cove device (OS type undefined)",
            DeviceClass::Other,
        ),
    }
}

impl CoveRun {
    fn row(&self, row: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let account_id = need(row, &["AccountId"])?;
        let client_ref = need(row, &["PartnerId"])?;
        let settings = Settings::of(row);
        let client_name = settings.text("I8");
        let computer = settings.text("I18");
        let name = if computer.is_empty() {
            settings.text("I1")
        } else {
            computer
        };
        if name.is_empty() {
            return Err(Outcome::unreadable(
                "I18",
                "computer name and device name (I1) are empty",
            ));
        }
        let last_seen = match settings.holder("I6") {
            Some(holder) => epoch_seconds_field(holder, &["I6"])?,
            None => None,
        };
        let (sku, sku_name, class, status, item_id) = if settings.text("I59") == "2" {
            // A Microsoft 365 tenant, not a device: its name is kept as is.
            (
                "cove_m365",
                "Cove Microsoft 365 account",
                "",
                "m365_account",
                name.to_string(),
            )
        } else {
            let (sku, sku_name, class) = device_kind(settings.text("I32"), settings.text("I81"));
            let (item_id, _) = device_identity("", name);
            (sku, sku_name, class.as_str(), ACTIVE, item_id)
        };
        out.client(ClientSeen {
            source: self.source.clone(),
            id: client_ref.to_string(),
            name: client_name.to_string(),
            ..ClientSeen::default()
        });
        out.product(ProductSeen {
            source: self.source.clone(),
            id: sku.to_string(),
            name: sku_name.to_string(),
            unit_price: None,
        });
        out.usage(UsageOut {
            source: self.source.clone(),
            client_ref: client_ref.to_string(),
            client_name: client_name.to_string(),
            sku: sku.to_string(),
            sku_name: sku_name.to_string(),
            measured: Measured::Item(item_id),
            status: status.to_string(),
            last_seen,
            hostname: computer.to_string(),
            agent_id: account_id.to_string(),
            device_class: class.to_string(),
            serial: String::new(),
        });
        Ok(())
    }

    fn response(&self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let rows = record.list("result.result");
        if rows.is_empty() {
            return Err(Outcome::Excluded("no accounts in the response".to_string()));
        }
        if !rows
            .iter()
            .any(|row| row.has("AccountId") && row.has("Settings"))
        {
            return Err(Outcome::unreadable(
                "result.result",
                "no row has AccountId and Settings: expected the response of \
                 EnumerateAccountStatistics",
            ));
        }
        let mut unreadable = 0_usize;
        for (index, row) in rows.iter().enumerate() {
            let account = row.text("AccountId").unwrap_or("?");
            let at = format!("account row {} (AccountId {account})", index + 1);
            match self.row(row, out) {
                Ok(()) | Err(Outcome::Used) => {}
                // Deliberately not used: noted with its reason.
                Err(Outcome::Excluded(reason)) => out.note(&reason, &at),
                Err(Outcome::Unreadable { column, problem }) => {
                    unreadable = unreadable.saturating_add(1);
                    out.note("unreadable", &format!("{at}: {column} {problem}"));
                }
            }
        }
        if unreadable > 0 {
            return Err(Outcome::unreadable(
                "result.result",
                format!(
                    "{unreadable} of {} account rows could not be read (each is noted)",
                    rows.len()
                ),
            ));
        }
        Ok(())
    }
}

impl ProfileRun for CoveRun {
    fn record(&mut self, _part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(self.response(record, out))
    }
}
