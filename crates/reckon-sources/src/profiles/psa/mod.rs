//! PSA billing profiles: what is billed this period.

mod connectwise;

use super::Profile;

pub fn profiles() -> Vec<Profile> {
    vec![connectwise::api_profile(), connectwise::csv_profile()]
}
