//! ConnectWise Automate REST API: `GET /cwa/api/v1/computers` (a plain
//! array of computers).
//!
//! One usage record per computer. Client = `Client.Id` named
//! `Client.Name` (the location is a sub-location). SKU = `Type`
//! (Workstation, Server). Item id = `SerialNumber` unless a placeholder or
//! a VM serial (VMware-, Hyper-V `0000-00xx-...`), else the short
//! `ComputerName`. Every listed computer is `active`: `Status`
//! Online/Offline is connectivity, and retired agents leave the list.
//! Last seen = `RemoteAgentLastContact` (else `LastHeartbeat`); Automate
//! writes server-local times without an offset, read here as UTC.
//! Class: `IsVirtualHost` -> hypervisor host, `IsVirtualMachine` -> VM
//! guest, else by `Type`.

use crate::convert::Side;
use crate::input::Record;
use crate::profiles::{
    ACTIVE, Context, DeviceClass, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun,
    ProfileSpec, Step, flag, instant, need, outcome, text,
};

use super::device::Device;

const SOURCE: &str = "automate";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "ConnectWise Automate computers (REST API /cwa/api/v1/computers)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "computers",
                PartRole::Main,
                "/computers: the managed computers",
            )
            .required(&[
                "ComputerName",
                "Client.Id",
                "Type",
                "RemoteAgentLastContact|LastHeartbeat",
            ])
            .optional(&[
                "Client.Name",
                "SerialNumber",
                "Location.Name",
                "IsVirtualMachine",
                "IsVirtualHost",
                "Status",
            ]),
        ],
    };
    Profile::new(spec, |context: &Context| AutomateRun {
        source: context.source.clone().unwrap_or_else(|| SOURCE.to_string()),
    })
}

/// The class of a computer by its virtualisation flags, then `Type`.
fn class_of(computer_type: &str, virtual_host: bool, virtual_machine: bool) -> DeviceClass {
    if virtual_host {
        return DeviceClass::HypervisorHost;
    }
    if virtual_machine {
        return DeviceClass::VmGuest;
    }
    match computer_type.to_ascii_lowercase().as_str() {
        "workstation" | "laptop" | "desktop" => DeviceClass::Workstation,
        "server" => DeviceClass::Server,
        _ => DeviceClass::Other,
    }
}

struct AutomateRun {
    source: String,
}

impl AutomateRun {
    fn computer(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let client = need(record, &["Client.Id"])?;
        let computer_type = need(record, &["Type"])?;
        let class = class_of(
            computer_type,
            flag(record, &["IsVirtualHost"])?.unwrap_or(false),
            flag(record, &["IsVirtualMachine"])?.unwrap_or(false),
        );
        Device {
            source: self.source.clone(),
            client_ref: client.to_string(),
            client_name: text(record, &["Client.Name"]).to_string(),
            sku: computer_type.to_string(),
            sku_name: computer_type.to_string(),
            serial: text(record, &["SerialNumber"]).to_string(),
            hostname: text(record, &["ComputerName"]).to_string(),
            agent_id: text(record, &["Id"]).to_string(),
            class: Some(class),
            status: ACTIVE.to_string(),
            last_seen: instant(record, &["RemoteAgentLastContact", "LastHeartbeat"])?,
            ..Device::default()
        }
        .emit(out)
    }
}

impl ProfileRun for AutomateRun {
    fn record(&mut self, _part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(self.computer(record, out))
    }
}
