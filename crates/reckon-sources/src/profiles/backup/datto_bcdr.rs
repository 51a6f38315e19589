//! Datto BCDR (SIRIS / ALTO) through the Datto partner REST API:
//! `GET /v1/bcdr/device` (hidden devices included) and, per device,
//! `GET /v1/bcdr/device/{serialNumber}/asset` saved as
//! `assets_<serialNumber>.json`.
//!
//! Each appliance is one item (`<model>/<servicePlan>`, by its serial
//! number upper-cased) and its offsite storage one count in decimal TB
//! (`datto_bcdr_offsite_tb`); local storage is the appliance's own disk and
//! bills nothing. Each protected agent is one item (server or workstation
//! by its `os`), by its short lowercase hostname (from `fqdn`, else `name`)
//! so that it meets the same machine in RMM and EDR sources; the full name
//! stays in `hostname`. Shares yield nothing.
//! Hidden devices, their storage and their agents are `hidden`; archived
//! agents `archived`, paused ones `paused`; staleness is left to
//! `last_seen`.
//!
//! An asset payload does not name its device: the device is the one whose
//! serial number its file is named after (`assets_<serialNumber>.json`).

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::shared::{SizeError, source_name, terabytes};
use crate::convert::{ClientSeen, Measured, ProductSeen, Side, UsageOut};
use crate::input::Record;
use crate::profiles::id_in_file_name;
use crate::profiles::{
    ACTIVE, Context, DeviceClass, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun,
    ProfileSpec, Step, device_identity, epoch_seconds_field, flag, instant, need, need_number,
    number, outcome, text,
};

const SOURCE: &str = "datto_bcdr";
const STORAGE_SKU: &str = "datto_bcdr_offsite_tb";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "Datto BCDR devices and protected agents (partner REST API)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new("devices", PartRole::Main, "v1/bcdr/device: the appliances")
                .required(&["serialNumber", "servicePlan", "offsiteStorageUsed.size"])
                .optional(&[
                    "name",
                    "model",
                    "lastSeenDate",
                    "organizationId",
                    "organizationName",
                    "clientCompanyName",
                    "hidden",
                    "agentCount",
                    "shareCount",
                ]),
            PartSpec::new(
                "assets",
                PartRole::Main,
                "v1/bcdr/device/{serialNumber}/asset: the agents and shares of one device",
            )
            .required(&[
                "agentVersion",
                "isArchived",
                "isPaused",
                "protectedVolumesCount",
            ])
            .optional(&[
                "name",
                "type",
                "os",
                "fqdn",
                "lastSnapshot",
                "latestOffsite",
            ]),
        ],
    };
    Profile::new(spec, |context: &Context| BcdrRun {
        source: source_name(context, SOURCE),
        devices: Vec::new(),
        current: Err(String::new()),
    })
}

/// What an agent needs of its device.
#[derive(Debug, Clone)]
struct Device {
    serial: String,
    client_ref: String,
    client_name: String,
    /// A hidden appliance: its agents are `hidden` too.
    hidden: bool,
    /// Whether an asset file is expected for it (it has agents or shares).
    has_assets: bool,
    /// Whether its asset file was read.
    assets_read: bool,
}

struct BcdrRun {
    source: String,
    devices: Vec<Device>,
    /// The device (by index) of the asset file being read, or the file's
    /// name when it names none.
    current: Result<usize, String>,
}

impl BcdrRun {
    fn device(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let serial = need(record, &["serialNumber"])?;
        let client_ref = need(record, &["organizationId"])?;
        let client_name = text(record, &["organizationName", "clientCompanyName"]);
        let model = text(record, &["model"]);
        let plan = text(record, &["servicePlan"]);
        let hidden = flag(record, &["hidden"])?.unwrap_or(false);
        let last_seen = instant(record, &["lastSeenDate"])?;
        let storage_size = need_number(record, &["offsiteStorageUsed.size"])?;
        let storage_units = need(record, &["offsiteStorageUsed.units"])?;
        let storage_tb = terabytes(storage_size, storage_units).map_err(|error| match error {
            SizeError::Unit => Outcome::unreadable(
                "offsiteStorageUsed.units",
                format!("expected GB or TB, found \"{storage_units}\""),
            ),
            SizeError::Overflow => Outcome::unreadable(
                "offsiteStorageUsed.size",
                format!("{storage_size} {storage_units} is too large"),
            ),
        })?;
        let agents = number(record, &["agentCount"])?.unwrap_or_default();
        let shares = number(record, &["shareCount"])?.unwrap_or_default();
        let assets = agents.checked_add(shares).ok_or_else(|| {
            Outcome::unreadable("agentCount", "agentCount + shareCount is too large")
        })?;
        let hostname = text(record, &["name"]);
        let (item_id, trusted_serial) = device_identity(serial, hostname);
        let status = if hidden { "hidden" } else { ACTIVE };
        let sku = format!("{model}/{plan}");
        let sku_name = format!("Datto {model} - {plan}");
        out.client(ClientSeen {
            source: self.source.clone(),
            id: client_ref.to_string(),
            name: client_name.to_string(),
            ..ClientSeen::default()
        });
        out.product(ProductSeen {
            source: self.source.clone(),
            id: sku.clone(),
            name: sku_name.clone(),
            unit_price: None,
        });
        out.product(ProductSeen {
            source: self.source.clone(),
            id: STORAGE_SKU.to_string(),
            name: "Datto offsite storage (TB)".to_string(),
            unit_price: None,
        });
        out.usage(UsageOut {
            source: self.source.clone(),
            client_ref: client_ref.to_string(),
            client_name: client_name.to_string(),
            sku,
            sku_name,
            measured: Measured::Item(item_id),
            status: status.to_string(),
            last_seen,
            hostname: hostname.to_string(),
            agent_id: String::new(),
            device_class: DeviceClass::Other.as_str().to_string(),
            serial: trusted_serial,
        });
        out.usage(UsageOut {
            source: self.source.clone(),
            client_ref: client_ref.to_string(),
            client_name: client_name.to_string(),
            sku: STORAGE_SKU.to_string(),
            sku_name: "Datto offsite storage (TB)".to_string(),
            measured: Measured::Count(storage_tb),
            status: status.to_string(),
            last_seen,
            ..UsageOut::default()
        });
        self.devices.push(Device {
            serial: serial.to_string(),
            client_ref: client_ref.to_string(),
            client_name: client_name.to_string(),
            hidden,
            has_assets: assets > Decimal::ZERO,
            assets_read: false,
        });
        Ok(())
    }

    fn asset(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let device = match &self.current {
            Ok(index) => self.devices[*index].clone(),
            Err(file) => {
                return Err(Outcome::unreadable(
                    "serialNumber",
                    format!(
                        "{file} does not name a device of the devices file: save each device's assets as assets_<serialNumber>.json"
                    ),
                ));
            }
        };
        let kind = text(record, &["type"]);
        if !kind.eq_ignore_ascii_case("agent") {
            return Err(Outcome::Excluded(format!(
                "{} protected on the appliance, not an agent",
                if kind.is_empty() { "item" } else { kind }
            )));
        }
        let name = need(record, &["name"])?;
        let fqdn = text(record, &["fqdn"]);
        let hostname = if fqdn.is_empty() { name } else { fqdn };
        let (item_id, _) = device_identity("", hostname);
        let os = text(record, &["os"]);
        let (sku, class) = if os.to_ascii_lowercase().contains("server") {
            ("datto_bcdr_agent_server", DeviceClass::Server)
        } else {
            ("datto_bcdr_agent_workstation", DeviceClass::Workstation)
        };
        let archived = flag(record, &["isArchived"])?.unwrap_or(false);
        let paused = flag(record, &["isPaused"])?.unwrap_or(false);
        let status = if device.hidden {
            "hidden"
        } else if archived {
            "archived"
        } else if paused {
            "paused"
        } else {
            ACTIVE
        };
        let last_seen: Option<Timestamp> = epoch_seconds_field(record, &["lastSnapshot"])?;
        let sku_name = match class {
            DeviceClass::Server => "Datto BCDR agent (server)",
            _ => "Datto BCDR agent (workstation)",
        };
        out.product(ProductSeen {
            source: self.source.clone(),
            id: sku.to_string(),
            name: sku_name.to_string(),
            unit_price: None,
        });
        out.usage(UsageOut {
            source: self.source.clone(),
            client_ref: device.client_ref.clone(),
            client_name: device.client_name.clone(),
            sku: sku.to_string(),
            sku_name: sku_name.to_string(),
            measured: Measured::Item(item_id),
            status: status.to_string(),
            last_seen,
            hostname: hostname.to_string(),
            agent_id: String::new(),
            device_class: class.as_str().to_string(),
            serial: String::new(),
        });
        Ok(())
    }
}

impl ProfileRun for BcdrRun {
    fn start_file(&mut self, part: &str, file_name: &str, _out: &mut dyn Emit) {
        if part == "assets" {
            let serial = id_in_file_name(file_name, self.devices.iter().map(|d| d.serial.as_str()))
                .map(str::to_string);
            self.current = serial
                .and_then(|serial| self.devices.iter().position(|d| d.serial == serial))
                .ok_or_else(|| file_name.to_string());
            if let Ok(index) = self.current {
                self.devices[index].assets_read = true;
            }
        }
    }

    fn finish(&mut self, out: &mut dyn Emit) {
        for device in self
            .devices
            .iter()
            .filter(|d| d.has_assets && !d.assets_read)
        {
            out.note(
                "no asset file",
                &format!(
                    "device {} reports agents but no assets_{}.json was given: its agents are not counted",
                    device.serial, device.serial
                ),
            );
        }
    }

    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "devices" => self.device(record, out),
            _ => self.asset(record, out),
        })
    }
}
