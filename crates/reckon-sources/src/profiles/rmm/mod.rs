//! RMM profiles: managed devices.

mod automate;
mod datto_rmm;
pub(crate) mod device;
mod ncentral;
mod ninjaone;

use super::Profile;

pub fn profiles() -> Vec<Profile> {
    vec![
        ninjaone::profile(),
        datto_rmm::profile(),
        ncentral::profile(),
        automate::profile(),
    ]
}
