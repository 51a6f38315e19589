//! RMM profiles: managed devices.

use super::Profile;

pub fn profiles() -> Vec<Profile> {
    vec![]
}
