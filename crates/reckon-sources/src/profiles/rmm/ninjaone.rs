//! NinjaOne public API v2: `GET /v2/devices-detailed` (a plain array of
//! devices) with `GET /v2/organizations` for client names.
//!
//! One usage record per device. Client = `organizationId`, named by the
//! device's `references.organization.name` or the organizations list.
//! SKU = `nodeClass` (NinjaOne prices by node class). Item id = the
//! `system.serialNumber` (else `biosSerialNumber`) unless it is a
//! placeholder or a VM serial, else the short `systemName`. Status:
//! `approvalStatus` PENDING -> `pending_approval`, else `active` (NinjaOne
//! has no deleted flag: removed devices leave the API; `offline` is
//! connectivity, staleness comes from `lastContact`, epoch seconds).
//! Class from `nodeClass` by the table in [`class_of`].

use hashbrown::HashMap;

use super::device::{Device, exact_epoch_seconds};
use crate::convert::{ClientSeen, Side};
use crate::input::Record;
use crate::profiles::{
    ACTIVE, Context, DeviceClass, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun,
    ProfileSpec, Step, flag, need, outcome, text,
};

const SOURCE: &str = "ninjaone";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "NinjaOne devices (API v2 devices-detailed and organizations)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "organizations",
                PartRole::Reference,
                "/v2/organizations: client names",
            )
            .required(&["id", "name", "nodeApprovalMode"])
            .optional(&["description", "tags", "fields"]),
            PartSpec::new(
                "devices",
                PartRole::Main,
                "/v2/devices-detailed: the managed devices",
            )
            .required(&[
                "id",
                "organizationId",
                "nodeClass",
                "lastContact|approvalStatus",
            ])
            .optional(&[
                "approvalStatus",
                "lastContact",
                "systemName",
                "displayName",
                "dnsName",
                "system.serialNumber",
                "references.organization",
                "offline",
            ]),
        ],
    };
    Profile::new(spec, |context: &Context| NinjaRun {
        source: context.source.clone().unwrap_or_else(|| SOURCE.to_string()),
        organizations: HashMap::new(),
    })
}

/// The device class of a `nodeClass`; a server that reports itself as a
/// virtual machine is a VM guest.
fn class_of(node_class: &str, virtual_machine: bool) -> DeviceClass {
    match node_class.to_ascii_uppercase().as_str() {
        "WINDOWS_WORKSTATION" | "MAC" | "LINUX_WORKSTATION" => DeviceClass::Workstation,
        "WINDOWS_SERVER" | "MAC_SERVER" | "LINUX_SERVER" if virtual_machine => DeviceClass::VmGuest,
        "WINDOWS_SERVER" | "MAC_SERVER" | "LINUX_SERVER" => DeviceClass::Server,
        "VMWARE_VM_HOST" | "HYPERV_VMM_HOST" => DeviceClass::HypervisorHost,
        "VMWARE_VM_GUEST" | "HYPERV_VMM_GUEST" => DeviceClass::VmGuest,
        "ANDROID" | "APPLE_IOS" | "APPLE_IPADOS" => DeviceClass::Mobile,
        // Monitoring targets are watched, not managed endpoints: like network
        // gear, out of per-endpoint counts unless a mapping says otherwise.
        other if other.starts_with("NMS_") || other == "CLOUD_MONITOR_TARGET" => {
            DeviceClass::Network
        }
        _ => DeviceClass::Other,
    }
}

struct NinjaRun {
    source: String,
    organizations: HashMap<String, String>,
}

impl NinjaRun {
    fn organization(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["id"])?;
        let name = text(record, &["name"]);
        self.organizations.insert(id.to_string(), name.to_string());
        out.client(ClientSeen {
            source: self.source.clone(),
            id: id.to_string(),
            name: name.to_string(),
            ..ClientSeen::default()
        });
        Ok(())
    }

    fn device(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let organization = need(record, &["organizationId"])?;
        let node_class = need(record, &["nodeClass"])?;
        let client_name = match text(record, &["references.organization.name"]) {
            "" => self
                .organizations
                .get(organization)
                .cloned()
                .unwrap_or_default(),
            name => name.to_string(),
        };
        let virtual_machine = flag(record, &["system.virtualMachine"])?.unwrap_or(false);
        let status = if text(record, &["approvalStatus"]).eq_ignore_ascii_case("pending") {
            "pending_approval"
        } else {
            ACTIVE
        };
        Device {
            source: self.source.clone(),
            client_ref: organization.to_string(),
            client_name,
            sku: node_class.to_string(),
            sku_name: node_class.to_string(),
            serial: text(record, &["system.serialNumber", "system.biosSerialNumber"]).to_string(),
            hostname: text(record, &["systemName", "displayName", "dnsName"]).to_string(),
            agent_id: text(record, &["id"]).to_string(),
            class: Some(class_of(node_class, virtual_machine)),
            status: status.to_string(),
            last_seen: exact_epoch_seconds(record, &["lastContact"])?,
            ..Device::default()
        }
        .emit(out)
    }
}

impl ProfileRun for NinjaRun {
    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "organizations" => self.organization(record, out),
            _ => self.device(record, out),
        })
    }
}
