//! What every device profile (RMM and EDR alike) shares: one usage record
//! per device, with its client and SKU references, and an exact reading of
//! epoch seconds with fractions.

use jiff::Timestamp;

use crate::convert::{ClientSeen, Measured, ProductSeen, UsageOut};
use crate::input::Record;
use crate::profiles::{DeviceClass, Emit, Outcome, Step, device_identity};

/// One device as a vendor lists it, ready to become a usage record.
#[derive(Debug, Clone, Default)]
pub struct Device {
    pub source: String,
    pub client_ref: String,
    pub client_name: String,
    /// A PSA company the vendor already links the client to.
    pub psa_client_id: String,
    pub sku: String,
    pub sku_name: String,
    /// The serial as the vendor reports it (junk included).
    pub serial: String,
    pub hostname: String,
    pub agent_id: String,
    pub class: Option<DeviceClass>,
    /// `active`, or why the device does not count.
    pub status: String,
    pub last_seen: Option<Timestamp>,
}

impl Device {
    /// Emits the client, the SKU and the usage record; the item id is the
    /// trusted serial, else the short hostname.
    pub fn emit(self, out: &mut dyn Emit) -> Step<()> {
        let (item_id, serial) = device_identity(&self.serial, &self.hostname);
        if item_id.is_empty() {
            return Err(Outcome::unreadable(
                "hostname",
                "is empty and the serial is missing or a placeholder: the device has no identity",
            ));
        }
        out.client(ClientSeen {
            source: self.source.clone(),
            id: self.client_ref.clone(),
            name: self.client_name.clone(),
            psa_client_id: self.psa_client_id,
            ..ClientSeen::default()
        });
        out.product(ProductSeen {
            source: self.source.clone(),
            id: self.sku.clone(),
            name: self.sku_name.clone(),
            unit_price: None,
        });
        out.usage(UsageOut {
            source: self.source,
            client_ref: self.client_ref,
            client_name: self.client_name,
            sku: self.sku,
            sku_name: self.sku_name,
            measured: Measured::Item(item_id),
            status: self.status,
            last_seen: self.last_seen,
            hostname: self.hostname,
            agent_id: self.agent_id,
            device_class: self
                .class
                .unwrap_or(DeviceClass::Other)
                .as_str()
                .to_string(),
            serial,
        });
        Ok(())
    }
}

/// Whether a serial or model names a virtual machine (VMware, Hyper-V,
/// VirtualBox, Parallels, a cloud VM).
pub fn is_virtual(serial: &str, model: &str) -> bool {
    let serial = serial.trim().to_ascii_lowercase();
    let model = model.to_ascii_lowercase();
    serial.starts_with("vmware")
        || serial.starts_with("parallels")
        || serial.starts_with("virtualbox")
        || (serial.len() > 20 && serial.chars().all(|c| c.is_ascii_digit() || c == '-'))
        || model.contains("virtual machine")
        || model.contains("virtual platform")
        || model.contains("vmware")
        || model.contains("kvm")
}

/// An instant given as Unix epoch seconds with a decimal fraction, kept
/// exactly; see [`crate::profiles::epoch_seconds_field`].
pub fn exact_epoch_seconds(record: &Record<'_>, fields: &[&str]) -> Step<Option<Timestamp>> {
    crate::profiles::epoch_seconds_field(record, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_machines_by_serial_or_model() {
        assert!(is_virtual("VMware-42 1a 2b", ""));
        assert!(is_virtual("0000-0013-0475-6541-0873-1150-22", ""));
        assert!(is_virtual("", "VMware Virtual Platform"));
        assert!(!is_virtual("8HJK2Q3", "OptiPlex 7090"));
    }
}
