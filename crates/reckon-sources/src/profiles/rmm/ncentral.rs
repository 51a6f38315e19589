//! N-able N-central REST API: `GET /api/devices` (records under `data`).
//!
//! One usage record per device. Client = `customerId` named
//! `customerName` (the site is a sub-location). SKU = `deviceClass`
//! ("Workstations - Windows", "Servers - Windows", ...), named by
//! `deviceClassLabel`; `licenseMode` (what N-able bills: Professional or
//! Essential) is not a SKU of ours. The list has no serial (it is in
//! `/api/devices/{id}/assets`), so the item id is the short `longName`.
//! Every listed device is `active`: N-central has no deleted or approval
//! state, deleted devices leave the list. `lastApplianceCheckinTime` is
//! ISO 8601 and may be null (never checked in). Class by [`class_of`].

use crate::convert::Side;
use crate::input::Record;
use crate::profiles::{
    ACTIVE, Context, DeviceClass, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun,
    ProfileSpec, Step, instant, need, outcome, text,
};

use super::device::Device;

const SOURCE: &str = "ncentral";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "N-able N-central devices (REST API /api/devices)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "devices",
                PartRole::Main,
                "/api/devices: the managed devices",
            )
            .required(&["deviceId", "longName", "customerId", "deviceClass"])
            .optional(&[
                "customerName",
                "deviceClassLabel",
                "lastApplianceCheckinTime",
                "licenseMode",
                "siteName",
                "isProbe",
            ]),
        ],
    };
    Profile::new(spec, |context: &Context| NcentralRun {
        source: context.source.clone().unwrap_or_else(|| SOURCE.to_string()),
    })
}

/// The class of an N-central device class ("Servers - Windows").
fn class_of(device_class: &str) -> DeviceClass {
    let lower = device_class.to_ascii_lowercase();
    if lower.starts_with("workstations") || lower.starts_with("laptop") {
        DeviceClass::Workstation
    } else if lower.starts_with("servers") {
        DeviceClass::Server
    } else if ["switch", "router", "printer", "firewall", "network"]
        .iter()
        .any(|word| lower.contains(word))
    {
        DeviceClass::Network
    } else {
        DeviceClass::Other
    }
}

struct NcentralRun {
    source: String,
}

impl NcentralRun {
    fn device(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let customer = need(record, &["customerId"])?;
        let device_class = need(record, &["deviceClass"])?;
        let label = match text(record, &["deviceClassLabel"]) {
            "" => device_class,
            label => label,
        };
        Device {
            source: self.source.clone(),
            client_ref: customer.to_string(),
            client_name: text(record, &["customerName"]).to_string(),
            sku: device_class.to_string(),
            sku_name: label.to_string(),
            hostname: text(record, &["longName", "discoveredName"]).to_string(),
            agent_id: text(record, &["deviceId"]).to_string(),
            class: Some(class_of(device_class)),
            status: ACTIVE.to_string(),
            last_seen: instant(record, &["lastApplianceCheckinTime"])?,
            ..Device::default()
        }
        .emit(out)
    }
}

impl ProfileRun for NcentralRun {
    fn record(&mut self, _part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(self.device(record, out))
    }
}
