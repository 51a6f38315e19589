//! PSA billing profiles: what is billed this period.

mod autotask;
mod connectwise;
mod halopsa;
mod lines;
mod period;
mod syncro;

use super::Profile;

pub fn profiles() -> Vec<Profile> {
    vec![
        connectwise::api_profile(),
        connectwise::csv_profile(),
        autotask::profile(),
        halopsa::profile(),
        syncro::profile(),
    ]
}
