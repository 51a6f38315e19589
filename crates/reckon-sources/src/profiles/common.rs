//! What profiles share: reading typed fields with a clear complaint when a
//! value is wrong, device identity (which serial to trust), device classes.

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::Outcome;
use crate::input::Record;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;

use crate::values::{parse_amount, parse_flag, parse_instant};

/// A profile step: `Err` carries why the record is not used.
pub type Step<T> = Result<T, Outcome>;

/// Turns a step into the record's outcome.
pub fn outcome(step: Step<()>) -> Outcome {
    match step {
        Ok(()) => Outcome::Used,
        Err(outcome) => outcome,
    }
}

/// The first of `fields` with a value, or an unreadable outcome naming
/// the first field.
pub fn need<'a>(record: &Record<'a>, fields: &[&str]) -> Step<&'a str> {
    record
        .first(fields)
        .map(|(_, text)| text)
        .ok_or_else(|| Outcome::unreadable(&record.column_name(fields[0]), "is empty"))
}

/// The first of `fields` with a value, or "" when none has one.
pub fn text<'a>(record: &Record<'a>, fields: &[&str]) -> &'a str {
    record.first(fields).map_or("", |(_, text)| text)
}

/// A number (amount or quantity) in any export shape; `None` when empty.
pub fn number(record: &Record<'_>, fields: &[&str]) -> Step<Option<Decimal>> {
    let Some((field, text)) = record.first(fields) else {
        return Ok(None);
    };
    parse_amount(text, record.locale).map(Some).ok_or_else(|| {
        Outcome::unreadable(
            &record.column_name(field),
            format!("expected a number, found \"{text}\""),
        )
    })
}

/// A number that must be there.
pub fn need_number(record: &Record<'_>, fields: &[&str]) -> Step<Decimal> {
    number(record, fields)?
        .ok_or_else(|| Outcome::unreadable(&record.column_name(fields[0]), "is empty"))
}

/// An instant in any export shape; `None` when empty.
pub fn instant(record: &Record<'_>, fields: &[&str]) -> Step<Option<Timestamp>> {
    let Some((field, text)) = record.first(fields) else {
        return Ok(None);
    };
    parse_instant(text, record.locale).map(Some).ok_or_else(|| {
        Outcome::unreadable(
            &record.column_name(field),
            format!("expected a date or time, found \"{text}\""),
        )
    })
}

/// An instant given as Unix epoch seconds, with any decimal fraction kept
/// exactly (`1795970527.318`), or, when the source is inconsistent, any
/// other shape an export uses.
pub fn epoch_seconds_field(record: &Record<'_>, fields: &[&str]) -> Step<Option<Timestamp>> {
    epoch_field(record, fields, 1_000_000_000, "Unix seconds")
}

/// An instant given as Unix epoch milliseconds, or any other shape.
pub fn epoch_millis_field(record: &Record<'_>, fields: &[&str]) -> Step<Option<Timestamp>> {
    epoch_field(record, fields, 1_000_000, "Unix milliseconds")
}

fn epoch_field(
    record: &Record<'_>,
    fields: &[&str],
    nanos_per_unit: i64,
    unit: &str,
) -> Step<Option<Timestamp>> {
    let Some((field, text)) = record.first(fields) else {
        return Ok(None);
    };
    exact_epoch(text, nanos_per_unit)
        .or_else(|| parse_instant(text, record.locale))
        .map(Some)
        .ok_or_else(|| {
            Outcome::unreadable(
                &record.column_name(field),
                format!("expected {unit}, found \"{text}\""),
            )
        })
}

/// A decimal count of units since the Unix epoch, exactly (no float).
/// Only plain digits with an optional fraction are taken.
pub fn exact_epoch(text: &str, nanos_per_unit: i64) -> Option<Timestamp> {
    let text = text.trim();
    if text.is_empty()
        || !text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    let value = Decimal::from_str(text).ok()?;
    let nanos = value.checked_mul(Decimal::from(nanos_per_unit))?.trunc();
    Timestamp::from_nanosecond(nanos.to_i128()?).ok()
}

/// A calendar date (the UTC day of an instant).
pub fn date(record: &Record<'_>, fields: &[&str]) -> Step<Option<Date>> {
    Ok(instant(record, fields)?.map(utc_date))
}

pub fn utc_date(at: Timestamp) -> Date {
    at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

/// A yes/no flag; `None` when empty.
pub fn flag(record: &Record<'_>, fields: &[&str]) -> Step<Option<bool>> {
    let Some((field, text)) = record.first(fields) else {
        return Ok(None);
    };
    parse_flag(text).map(Some).ok_or_else(|| {
        Outcome::unreadable(
            &record.column_name(field),
            format!("expected true or false, found \"{text}\""),
        )
    })
}

/// Serial numbers that identify nothing: firmware placeholders, virtual
/// machines' generated serials, zeros.
pub fn is_junk_serial(serial: &str) -> bool {
    let lower = serial.trim().to_ascii_lowercase();
    if lower.is_empty() || lower.chars().all(|c| c == '0' || c == ' ' || c == '-') {
        return true;
    }
    const JUNK: [&str; 16] = [
        "to be filled by o.e.m.",
        "to be filled by o.e.m",
        "to be filled by oem",
        "not available",
        "oem",
        "o.e.m.",
        "system serial number",
        "default string",
        "not specified",
        "not applicable",
        "none",
        "n/a",
        "unknown",
        "chassis serial number",
        "serial number",
        "invalid",
    ];
    JUNK.contains(&lower.as_str())
        || lower.starts_with("vmware-")
        || lower.starts_with("vmware ")
        || lower.starts_with("parallels-")
        || lower.starts_with("virtualbox-")
        // Cloud instances: the serial is the instance, not hardware.
        || lower.starts_with("ec2")
        || lower.starts_with("googlecloud-")
        // Hyper-V guests report a long all-digit serial shaped 0000-0000-...
        || (lower.len() > 20 && lower.chars().all(|c| c.is_ascii_digit() || c == '-'))
}

/// A device's identity within a client: its hardware serial when it has a
/// usable one, else its hostname (lowercase, without a DNS suffix).
/// Returns the item id and the serial that was trusted ("" if none).
pub fn device_identity(serial: &str, hostname: &str) -> (String, String) {
    let serial = serial.trim().to_ascii_uppercase();
    if !is_junk_serial(&serial) {
        return (serial.clone(), serial);
    }
    (short_hostname(hostname), String::new())
}

/// `NWL-WS07.northwind.local` -> `nwl-ws07`.
pub fn short_hostname(hostname: &str) -> String {
    hostname
        .trim()
        .split('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// What kind of device a vendor's class field describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceClass {
    Workstation,
    Server,
    VmGuest,
    HypervisorHost,
    Network,
    Mobile,
    Other,
}

impl DeviceClass {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceClass::Workstation => "workstation",
            DeviceClass::Server => "server",
            DeviceClass::VmGuest => "vm_guest",
            DeviceClass::HypervisorHost => "hypervisor_host",
            DeviceClass::Network => "network",
            DeviceClass::Mobile => "mobile",
            DeviceClass::Other => "other",
        }
    }

    /// A class from free text (`Windows Server 2022`, `Laptop`, `Servers -
    /// Windows`, `desktop`, `Virtual Machine`), for vendors without a fixed
    /// list. The more specific kinds are tried first: a "Windows Server
    /// virtual machine" is a VM guest, a "Windows Phone" a mobile.
    pub fn from_text(text: &str) -> DeviceClass {
        let lower = text.to_ascii_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|word| !word.is_empty())
            .collect();
        let has = |word: &str| words.contains(&word);
        if lower.contains("hypervisor")
            || has("esx")
            || has("esxi")
            || lower.contains("hyper-v host")
        {
            DeviceClass::HypervisorHost
        } else if lower.contains("virtual") || has("vm") {
            DeviceClass::VmGuest
        } else if has("mobile")
            || has("phone")
            || has("ios")
            || has("ipados")
            || has("android")
            || has("tablet")
        {
            DeviceClass::Mobile
        } else if lower.contains("server") || lower.contains("domain controller") {
            DeviceClass::Server
        } else if has("switch")
            || has("router")
            || has("firewall")
            || has("network")
            || has("printer")
            || lower.contains("access point")
        {
            DeviceClass::Network
        } else if has("workstation")
            || has("workstations")
            || has("desktop")
            || has("desktops")
            || has("laptop")
            || has("laptops")
            || has("windows")
            || has("mac")
            || has("macos")
            || has("darwin")
            || has("linux")
        {
            DeviceClass::Workstation
        } else {
            DeviceClass::Other
        }
    }
}

/// The id among `known` that a per-entity file is named after
/// (`seats_1048211.json`, `assets_A4BF0129C3E1.json`, `users_<tenantId>.json`): the longest one its
/// name contains, compared without case.
pub fn id_in_file_name<'k>(
    file_name: &str,
    known: impl Iterator<Item = &'k str>,
) -> Option<&'k str> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let base = base.to_ascii_lowercase();
    // The id must stand alone in the name (`seats_1048211.json`), so that
    // `seats_10482119.json` is not taken for customer 1048211.
    let stands_alone = |id: &str| {
        let id = id.to_ascii_lowercase();
        base.match_indices(&id).any(|(at, _)| {
            let before = base[..at].chars().next_back();
            let after = base[at + id.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        })
    };
    known
        .filter(|id| !id.is_empty() && stands_alone(id))
        .max_by_key(|id| id.len())
}

/// The status of an item that is present and counted.
pub const ACTIVE: &str = "active";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_serials_fall_back_to_the_hostname() {
        for junk in [
            "To be filled by O.E.M.",
            "System Serial Number",
            "0",
            "Default string",
            "VMware-56 4d 2b 1f",
            "",
            "0000-0017-2584-6510-1234-5678-91",
        ] {
            assert!(is_junk_serial(junk), "{junk}");
        }
        assert!(!is_junk_serial("8HJK2Q3"));
        assert_eq!(
            device_identity("To be filled by O.E.M.", "NWL-WS07.northwind.local"),
            ("nwl-ws07".to_string(), String::new())
        );
        assert_eq!(
            device_identity(" 8hjk2Q3 ", "x"),
            ("8HJK2Q3".to_string(), "8HJK2Q3".to_string())
        );
        assert!(is_junk_serial("To be filled by O.E.M"));
        assert!(is_junk_serial("ec2a1b2c3d-0000"));
    }

    #[test]
    fn classes_from_free_text() {
        assert_eq!(
            DeviceClass::from_text("Windows Server 2022"),
            DeviceClass::Server
        );
        assert_eq!(
            DeviceClass::from_text("Servers - Windows"),
            DeviceClass::Server
        );
        assert_eq!(DeviceClass::from_text("Laptop"), DeviceClass::Workstation);
        assert_eq!(
            DeviceClass::from_text("ESXi Host"),
            DeviceClass::HypervisorHost
        );
        assert_eq!(DeviceClass::from_text("Printer"), DeviceClass::Network);
        assert_eq!(
            DeviceClass::from_text("Virtual Machine"),
            DeviceClass::VmGuest
        );
        assert_eq!(DeviceClass::from_text("Linux VM"), DeviceClass::VmGuest);
        assert_eq!(DeviceClass::from_text("Windows Phone"), DeviceClass::Mobile);
        assert_eq!(
            DeviceClass::from_text("machine learning box"),
            DeviceClass::Other
        );
        assert_eq!(
            DeviceClass::from_text("macOS 14.2"),
            DeviceClass::Workstation
        );
    }

    #[test]
    fn epochs_are_exact() {
        let at = exact_epoch("1795970527.318", 1_000_000_000).unwrap();
        assert_eq!(at.to_string(), "2026-11-29T16:42:07.318Z");
        assert_eq!(
            exact_epoch("1795970527318", 1_000_000).unwrap().to_string(),
            "2026-11-29T16:42:07.318Z"
        );
        assert_eq!(exact_epoch("NaN", 1_000_000_000), None);
        assert_eq!(exact_epoch("inf", 1_000_000_000), None);
    }
}
