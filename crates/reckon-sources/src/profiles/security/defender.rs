//! Microsoft Defender for Endpoint API: `GET /api/machines` (records under
//! `value`), one call per client tenant.
//!
//! The machines carry no tenant: the client comes from the conversion's
//! `--client-ref` (and `--client-name`); without it every row is
//! unreadable. One usage record per machine. SKU = `osPlatform`
//! (Windows11, WindowsServer2022, macOS, ...). The API has no serial, so
//! the item id is the short `computerDnsName` (the full DNS name stays the
//! hostname). Status: `onboardingStatus` Onboarded -> `active`, anything
//! else -> `not_onboarded` (a device discovered on the network, not a
//! sensor). `healthStatus` is not a status: staleness comes from
//! `lastSeen`. Class: WindowsServer* -> server (VM guest with
//! `vmMetadata`), Windows10/11, macOS, Linux -> workstation, iOS/Android
//! -> mobile, else other. Agent id = `id`.

use crate::convert::Side;
use crate::input::Record;
use crate::profiles::rmm::device::Device;
use crate::profiles::{
    ACTIVE, Context, DeviceClass, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun,
    ProfileSpec, Step, instant, need, outcome, text,
};

const SOURCE: &str = "defender";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "Microsoft Defender for Endpoint machines (API /api/machines, one tenant)"
            .to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "machines",
                PartRole::Main,
                "/api/machines: one tenant's devices",
            )
            .required(&["id", "computerDnsName", "osPlatform", "onboardingStatus"])
            .optional(&[
                "lastSeen",
                "healthStatus",
                "aadDeviceId",
                "machineTags",
                "vmMetadata",
            ]),
        ],
    };
    Profile::new(spec, |context: &Context| DefenderRun {
        source: context.source.clone().unwrap_or_else(|| SOURCE.to_string()),
        client_ref: context.client_ref.clone(),
        client_name: context.client_name.clone().unwrap_or_default(),
    })
}

fn class_of(os_platform: &str, virtual_machine: bool) -> DeviceClass {
    let lower = os_platform.to_ascii_lowercase();
    if lower.starts_with("windowsserver") {
        if virtual_machine {
            DeviceClass::VmGuest
        } else {
            DeviceClass::Server
        }
    } else if lower.starts_with("windows") || lower == "macos" || lower == "linux" {
        DeviceClass::Workstation
    } else if lower == "ios" || lower == "android" {
        DeviceClass::Mobile
    } else {
        DeviceClass::Other
    }
}

struct DefenderRun {
    source: String,
    client_ref: Option<String>,
    client_name: String,
}

impl DefenderRun {
    fn machine(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let client_ref = self.client_ref.clone().ok_or_else(|| {
            Outcome::unreadable(
                "client",
                "Defender machines name no tenant: pass --client-ref for this tenant's file",
            )
        })?;
        let os_platform = need(record, &["osPlatform"])?;
        let status = if text(record, &["onboardingStatus"]).eq_ignore_ascii_case("onboarded") {
            ACTIVE
        } else {
            "not_onboarded"
        };
        Device {
            source: self.source.clone(),
            client_ref,
            client_name: self.client_name.clone(),
            sku: os_platform.to_string(),
            sku_name: os_platform.to_string(),
            hostname: text(record, &["computerDnsName"]).to_string(),
            agent_id: text(record, &["id"]).to_string(),
            class: Some(class_of(os_platform, record.has("vmMetadata"))),
            status: status.to_string(),
            last_seen: instant(record, &["lastSeen"])?,
            ..Device::default()
        }
        .emit(out)
    }
}

impl ProfileRun for DefenderRun {
    fn record(&mut self, _part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(self.machine(record, out))
    }
}
