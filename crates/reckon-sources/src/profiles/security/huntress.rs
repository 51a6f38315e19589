//! Huntress public API v1: `GET /v1/agents` (records under `agents`) with
//! `GET /v1/organizations` (under `organizations`) for client names.
//!
//! One usage record per agent. Client = `organization_id`, named by the
//! organizations list (an agent carries no name). SKU = `platform`
//! (windows, darwin, linux): Huntress sells one per-endpoint product, and
//! the platform is the only fixed key it gives (the `os` string is free
//! text). Item id = `serial_number` unless a placeholder or a VM serial,
//! else the short `hostname`. Every listed agent is `active`: an
//! uninstalled agent leaves the API, and Huntress bills a dead machine
//! until then (staleness comes from `last_callback_at`). Class from the
//! `os` string only: "... Server ..." -> server (VM guest when the serial
//! is a VM's), any other Windows, macOS or Linux -> workstation.

use hashbrown::HashMap;

use crate::convert::{ClientSeen, Side};
use crate::input::Record;
use crate::profiles::rmm::device::{Device, is_virtual};
use crate::profiles::{
    ACTIVE, Context, DeviceClass, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun,
    ProfileSpec, Step, instant, need, outcome, text,
};

const SOURCE: &str = "huntress";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "Huntress agents (API v1 agents and organizations)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "organizations",
                PartRole::Reference,
                "/v1/organizations: client names",
            )
            .required(&["id", "name", "agents_count"])
            .optional(&["key", "account_id"])
            .envelope("organizations"),
            PartSpec::new("agents", PartRole::Main, "/v1/agents: the EDR agents")
                .required(&["id", "hostname", "organization_id", "platform"])
                .optional(&["os", "serial_number", "last_callback_at", "account_id"])
                .envelope("agents"),
        ],
    };
    Profile::new(spec, |context: &Context| HuntressRun {
        source: context.source.clone().unwrap_or_else(|| SOURCE.to_string()),
        organizations: HashMap::new(),
    })
}

/// The class of an agent by its `os` string and platform.
fn class_of(os: &str, platform: &str, virtual_machine: bool) -> DeviceClass {
    if os.to_ascii_lowercase().contains("server") {
        return if virtual_machine {
            DeviceClass::VmGuest
        } else {
            DeviceClass::Server
        };
    }
    match platform.to_ascii_lowercase().as_str() {
        "windows" | "darwin" | "linux" => DeviceClass::Workstation,
        _ => DeviceClass::from_text(os),
    }
}

struct HuntressRun {
    source: String,
    organizations: HashMap<String, String>,
}

impl HuntressRun {
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

    fn agent(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let organization = need(record, &["organization_id"])?;
        let platform = need(record, &["platform"])?;
        let serial = text(record, &["serial_number"]);
        let class = class_of(text(record, &["os"]), platform, is_virtual(serial, ""));
        Device {
            source: self.source.clone(),
            client_ref: organization.to_string(),
            client_name: self
                .organizations
                .get(organization)
                .cloned()
                .unwrap_or_default(),
            sku: platform.to_string(),
            sku_name: platform.to_string(),
            serial: serial.to_string(),
            hostname: text(record, &["hostname"]).to_string(),
            agent_id: text(record, &["id"]).to_string(),
            class: Some(class),
            status: ACTIVE.to_string(),
            last_seen: instant(record, &["last_callback_at"])?,
            ..Device::default()
        }
        .emit(out)
    }
}

impl ProfileRun for HuntressRun {
    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "organizations" => self.organization(record, out),
            _ => self.agent(record, out),
        })
    }
}
