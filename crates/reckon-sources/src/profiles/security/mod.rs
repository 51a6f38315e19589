//! Security profiles: EDR and MDR agents. They share the RMM profiles'
//! device record (`rmm::device`).

mod crowdstrike;
mod defender;
mod huntress;
mod sentinelone;

use super::Profile;

pub fn profiles() -> Vec<Profile> {
    vec![
        sentinelone::profile(),
        huntress::profile(),
        crowdstrike::profile(),
        defender::profile(),
    ]
}
