//! SentinelOne Management API: `GET /web/api/v2.1/agents` (records under
//! `data`).
//!
//! One usage record per agent. Client = `siteId` named `siteName`: in the
//! usual MSP layout the account is the MSP and each client a site, where
//! licences are allocated. SKU = `machineType` (desktop, laptop, server,
//! ...): S1 prices workstations and servers apart. Item id = `serialNumber`
//! unless a placeholder or a VM serial, else the short `computerName`.
//! Status: `isDecommissioned` -> `decommissioned` (they stay listed),
//! `isUninstalled` -> `uninstalled`, `isPendingUninstall` ->
//! `pending_uninstall`, else `active` (`isActive`/`networkStatus` are
//! connectivity). Last seen = `lastActiveDate`. Class: server -> server
//! (VM guest when the serial or `modelName` is a VM's), desktop/laptop ->
//! workstation, else other. Agent id = `uuid`.

use crate::convert::Side;
use crate::input::Record;
use crate::profiles::rmm::device::{Device, is_virtual};
use crate::profiles::{
    ACTIVE, Context, DeviceClass, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun,
    ProfileSpec, Step, flag, instant, need, outcome, text,
};

const SOURCE: &str = "sentinelone";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "SentinelOne agents (Management API v2.1 /agents)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "agents",
                PartRole::Main,
                "/web/api/v2.1/agents: the EDR agents",
            )
            .required(&["uuid", "computerName", "siteId", "machineType"])
            .optional(&[
                "siteName",
                "serialNumber",
                "isDecommissioned",
                "isUninstalled",
                "isPendingUninstall",
                "lastActiveDate",
                "modelName",
                "accountId",
            ]),
        ],
    };
    Profile::new(spec, |context: &Context| SentinelOneRun {
        source: context.source.clone().unwrap_or_else(|| SOURCE.to_string()),
    })
}

fn class_of(machine_type: &str, virtual_machine: bool) -> DeviceClass {
    match machine_type.to_ascii_lowercase().as_str() {
        "server" if virtual_machine => DeviceClass::VmGuest,
        "server" => DeviceClass::Server,
        "desktop" | "laptop" => DeviceClass::Workstation,
        _ => DeviceClass::Other,
    }
}

struct SentinelOneRun {
    source: String,
}

impl SentinelOneRun {
    fn status(record: &Record<'_>) -> Step<&'static str> {
        Ok(if flag(record, &["isDecommissioned"])?.unwrap_or(false) {
            "decommissioned"
        } else if flag(record, &["isUninstalled"])?.unwrap_or(false) {
            "uninstalled"
        } else if flag(record, &["isPendingUninstall"])?.unwrap_or(false) {
            "pending_uninstall"
        } else {
            ACTIVE
        })
    }

    fn agent(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let site = need(record, &["siteId"])?;
        let machine_type = need(record, &["machineType"])?;
        let serial = text(record, &["serialNumber"]);
        let virtual_machine = is_virtual(serial, text(record, &["modelName"]));
        Device {
            source: self.source.clone(),
            client_ref: site.to_string(),
            client_name: text(record, &["siteName"]).to_string(),
            sku: machine_type.to_string(),
            sku_name: machine_type.to_string(),
            serial: serial.to_string(),
            hostname: text(record, &["computerName"]).to_string(),
            agent_id: text(record, &["uuid", "id"]).to_string(),
            class: Some(class_of(machine_type, virtual_machine)),
            status: Self::status(record)?.to_string(),
            last_seen: instant(record, &["lastActiveDate"])?,
            ..Device::default()
        }
        .emit(out)
    }
}

impl ProfileRun for SentinelOneRun {
    fn record(&mut self, _part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(self.agent(record, out))
    }
}
