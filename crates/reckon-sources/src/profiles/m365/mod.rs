//! Microsoft 365 and distributor profiles: licensed users, purchased seats.

mod admin_users;
mod catalogue;

pub use catalogue::{by_guid, by_part_number, sku_display_name};
mod graph;
mod partner_center;
mod pax8;
mod tenant;

use super::Profile;

pub fn profiles() -> Vec<Profile> {
    vec![
        graph::profile(),
        admin_users::profile(),
        partner_center::profile(),
        pax8::profile(),
    ]
}
