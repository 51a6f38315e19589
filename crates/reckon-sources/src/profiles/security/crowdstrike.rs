//! CrowdStrike Falcon Hosts API: `GET /devices/entities/devices/v2`
//! (records under `resources`).
//!
//! One usage record per host. Client = `cid` (a child CID per client in a
//! Flight Control parent); the payload names no client, mapping does.
//! SKU = `product_type_desc` (Workstation, Server, Domain Controller):
//! Falcon prices workstations and servers apart. Item id = `serial_number`
//! unless a placeholder or a VM serial, else the short `hostname`. Status:
//! `host_hidden_status` hidden -> `hidden` (an admin hid a retired host),
//! else `active`, containment included (a contained host is still a billed
//! sensor). Last seen = `last_seen`. Class: Workstation -> workstation;
//! Server, Domain Controller -> server (VM guest when the serial or
//! `system_product_name` is a VM's); else other. Agent id = `device_id`.

use crate::convert::Side;
use crate::input::Record;
use crate::profiles::rmm::device::{Device, is_virtual};
use crate::profiles::{
    ACTIVE, Context, DeviceClass, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun,
    ProfileSpec, Step, instant, need, outcome, text,
};

const SOURCE: &str = "crowdstrike";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "CrowdStrike Falcon hosts (Hosts API devices/entities/devices/v2)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "hosts",
                PartRole::Main,
                "devices/entities/devices/v2: the Falcon sensors",
            )
            .required(&["device_id", "cid", "hostname", "product_type_desc"])
            .optional(&[
                "serial_number",
                "last_seen",
                "host_hidden_status",
                "system_product_name",
                "platform_name",
                "status",
            ])
            .envelope("resources"),
        ],
    };
    Profile::new(spec, |context: &Context| CrowdStrikeRun {
        source: context.source.clone().unwrap_or_else(|| SOURCE.to_string()),
    })
}

fn class_of(product_type: &str, virtual_machine: bool) -> DeviceClass {
    match product_type.to_ascii_lowercase().as_str() {
        "workstation" => DeviceClass::Workstation,
        "server" | "domain controller" if virtual_machine => DeviceClass::VmGuest,
        "server" | "domain controller" => DeviceClass::Server,
        _ => DeviceClass::Other,
    }
}

struct CrowdStrikeRun {
    source: String,
}

impl CrowdStrikeRun {
    fn host(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let cid = need(record, &["cid"])?;
        let product_type = need(record, &["product_type_desc"])?;
        let serial = text(record, &["serial_number"]);
        let virtual_machine = is_virtual(serial, text(record, &["system_product_name"]));
        let status = if text(record, &["host_hidden_status"]).eq_ignore_ascii_case("hidden") {
            "hidden"
        } else {
            ACTIVE
        };
        Device {
            source: self.source.clone(),
            client_ref: cid.to_string(),
            sku: product_type.to_string(),
            sku_name: product_type.to_string(),
            serial: serial.to_string(),
            hostname: text(record, &["hostname"]).to_string(),
            agent_id: text(record, &["device_id"]).to_string(),
            class: Some(class_of(product_type, virtual_machine)),
            status: status.to_string(),
            last_seen: instant(record, &["last_seen"])?,
            ..Device::default()
        }
        .emit(out)
    }
}

impl ProfileRun for CrowdStrikeRun {
    fn record(&mut self, _part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(self.host(record, out))
    }
}
