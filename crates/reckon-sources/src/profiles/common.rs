//! What profiles share: reading typed fields with a clear complaint when a
//! value is wrong, device identity (which serial to trust), device classes.

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::Outcome;
use crate::input::Record;
use crate::values::{epoch_millis, epoch_seconds, parse_amount, parse_flag, parse_instant};

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

/// An instant given as Unix epoch seconds (with fractions) or, when the
/// source is inconsistent, any other shape.
pub fn epoch_seconds_field(record: &Record<'_>, fields: &[&str]) -> Step<Option<Timestamp>> {
    let Some((field, text)) = record.first(fields) else {
        return Ok(None);
    };
    text.parse::<f64>()
        .ok()
        .and_then(epoch_seconds)
        .or_else(|| parse_instant(text, record.locale))
        .map(Some)
        .ok_or_else(|| {
            Outcome::unreadable(
                &record.column_name(field),
                format!("expected Unix seconds, found \"{text}\""),
            )
        })
}

/// An instant given as Unix epoch milliseconds, or any other shape.
pub fn epoch_millis_field(record: &Record<'_>, fields: &[&str]) -> Step<Option<Timestamp>> {
    let Some((field, text)) = record.first(fields) else {
        return Ok(None);
    };
    text.parse::<f64>()
        .ok()
        .and_then(epoch_millis)
        .or_else(|| parse_instant(text, record.locale))
        .map(Some)
        .ok_or_else(|| {
            Outcome::unreadable(
                &record.column_name(field),
                format!("expected Unix milliseconds, found \"{text}\""),
            )
        })
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
    const JUNK: [&str; 12] = [
        "to be filled by o.e.m.",
        "to be filled by oem",
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
        // Hyper-V guests report a long all-digit serial shaped 0000-0000-...
        || (lower.len() > 20 && lower.chars().all(|c| c.is_ascii_digit() || c == '-'))
}

/// A device's identity within a client: its hardware serial when it has a
/// usable one, else its hostname (lowercase, without a DNS suffix).
/// Returns the item id and the serial that was trusted ("" if none).
pub fn device_identity(serial: &str, hostname: &str) -> (String, String) {
    let serial = serial.trim();
    if !is_junk_serial(serial) {
        return (serial.to_string(), serial.to_string());
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
    /// Windows`, `desktop`), for vendors without a fixed list.
    pub fn from_text(text: &str) -> DeviceClass {
        let lower = text.to_ascii_lowercase();
        if lower.contains("hypervisor") || lower.contains("esx") || lower.contains("hyper-v host") {
            DeviceClass::HypervisorHost
        } else if lower.contains("server") || lower.contains("domain controller") {
            DeviceClass::Server
        } else if lower.contains("workstation")
            || lower.contains("desktop")
            || lower.contains("laptop")
            || lower.contains("windows")
            || lower.contains("mac")
            || lower.contains("darwin")
            || lower.contains("linux")
        {
            DeviceClass::Workstation
        } else if lower.contains("virtual") || lower.contains("vm") {
            DeviceClass::VmGuest
        } else if lower.contains("switch")
            || lower.contains("router")
            || lower.contains("firewall")
            || lower.contains("network")
            || lower.contains("printer")
            || lower.contains("access point")
        {
            DeviceClass::Network
        } else if lower.contains("mobile")
            || lower.contains("phone")
            || lower.contains("ios")
            || lower.contains("android")
            || lower.contains("tablet")
        {
            DeviceClass::Mobile
        } else {
            DeviceClass::Other
        }
    }
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
            device_identity(" 8HJK2Q3 ", "x"),
            ("8HJK2Q3".to_string(), "8HJK2Q3".to_string())
        );
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
    }
}
