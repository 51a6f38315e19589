//! Security profiles: EDR and MDR agents.

use super::Profile;

pub fn profiles() -> Vec<Profile> {
    vec![]
}
