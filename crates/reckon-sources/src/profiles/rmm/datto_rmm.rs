//! Datto RMM API v2: `GET /api/v2/account/devices` (records under
//! `devices`) with `GET /api/v2/account/sites` (under `sites`).
//!
//! One usage record per device. Client = `siteUid` named `siteName`; the
//! site's `autotaskCompanyId` becomes the client's PSA link (a mapping
//! hint). SKU = `deviceType.category` (Desktop, Laptop, Server, ESXi Host,
//! Printer, Network Device). The device list has no serial (it is in the
//! per-device audit), so the item id is the short hostname. Status:
//! `deleted` -> `deleted` (deleted devices sit in the "Deleted Devices"
//! system site), else `suspended` -> `suspended`, else `active`.
//! `lastSeen` is epoch milliseconds (ISO accepted). Class from
//! `deviceClass` and `deviceType.category` by [`class_of`].

use hashbrown::HashMap;

use super::device::Device;
use crate::convert::{ClientSeen, Side};
use crate::input::Record;
use crate::profiles::{
    ACTIVE, Context, DeviceClass, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun,
    ProfileSpec, Step, epoch_millis_field, flag, need, outcome, text,
};

const SOURCE: &str = "datto_rmm";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "Datto RMM devices (API v2 account devices and sites)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "sites",
                PartRole::Reference,
                "account/sites: sites and their Autotask companies",
            )
            .required(&["uid", "name", "devicesStatus"])
            .optional(&["autotaskCompanyId", "autotaskCompanyName", "onDemand"])
            .envelope("sites"),
            PartSpec::new(
                "devices",
                PartRole::Main,
                "account/devices: the managed devices",
            )
            .required(&["uid", "siteUid", "hostname", "deviceType.category"])
            .optional(&[
                "siteName",
                "deviceClass",
                "deleted",
                "suspended",
                "lastSeen",
            ])
            .envelope("devices"),
        ],
    };
    Profile::new(spec, |context: &Context| DattoRun {
        source: context.source.clone().unwrap_or_else(|| SOURCE.to_string()),
        sites: HashMap::new(),
    })
}

/// The class of a device by Datto's `deviceClass` first (ESXi hosts,
/// printers and network devices), then `deviceType.category`.
fn class_of(device_class: &str, category: &str) -> DeviceClass {
    match device_class.to_ascii_lowercase().as_str() {
        "esxihost" => return DeviceClass::HypervisorHost,
        "printer" | "rmmnetworkdevice" => return DeviceClass::Network,
        _ => {}
    }
    match category.to_ascii_lowercase().as_str() {
        "desktop" | "laptop" => DeviceClass::Workstation,
        "server" => DeviceClass::Server,
        "esxi host" => DeviceClass::HypervisorHost,
        "printer" | "network device" => DeviceClass::Network,
        _ => DeviceClass::Other,
    }
}

/// A site: its name and Autotask company.
struct Site {
    name: String,
    autotask_company_id: String,
}

struct DattoRun {
    source: String,
    sites: HashMap<String, Site>,
}

impl DattoRun {
    fn site(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let uid = need(record, &["uid"])?;
        let site = Site {
            name: text(record, &["name"]).to_string(),
            autotask_company_id: text(record, &["autotaskCompanyId"]).to_string(),
        };
        out.client(ClientSeen {
            source: self.source.clone(),
            id: uid.to_string(),
            name: site.name.clone(),
            psa_client_id: site.autotask_company_id.clone(),
            ..ClientSeen::default()
        });
        self.sites.insert(uid.to_string(), site);
        Ok(())
    }

    fn device(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let site_uid = need(record, &["siteUid"])?;
        let category = need(record, &["deviceType.category"])?;
        let site = self.sites.get(site_uid);
        let client_name = match text(record, &["siteName"]) {
            "" => site.map(|site| site.name.clone()).unwrap_or_default(),
            name => name.to_string(),
        };
        let status = if flag(record, &["deleted"])?.unwrap_or(false) {
            "deleted"
        } else if flag(record, &["suspended"])?.unwrap_or(false) {
            "suspended"
        } else {
            ACTIVE
        };
        Device {
            source: self.source.clone(),
            client_ref: site_uid.to_string(),
            client_name,
            psa_client_id: site
                .map(|site| site.autotask_company_id.clone())
                .unwrap_or_default(),
            sku: category.to_string(),
            sku_name: category.to_string(),
            hostname: text(record, &["hostname"]).to_string(),
            agent_id: text(record, &["uid"]).to_string(),
            class: Some(class_of(text(record, &["deviceClass"]), category)),
            status: status.to_string(),
            last_seen: epoch_millis_field(record, &["lastSeen"])?,
            ..Device::default()
        }
        .emit(out)
    }
}

impl ProfileRun for DattoRun {
    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "sites" => self.site(record, out),
            _ => self.device(record, out),
        })
    }
}
