//! Microsoft 365 and distributor profiles: licensed users, purchased seats.

use super::Profile;

pub fn profiles() -> Vec<Profile> {
    vec![]
}
