//! Backup profiles: protected devices, seats and storage.

mod acronis;
mod cove;
mod datto_bcdr;
mod datto_saas;
mod shared;
mod veeam_vspc;

use super::Profile;

pub fn profiles() -> Vec<Profile> {
    vec![
        datto_bcdr::profile(),
        datto_saas::profile(),
        veeam_vspc::profile(),
        acronis::profile(),
        cove::profile(),
    ]
}
