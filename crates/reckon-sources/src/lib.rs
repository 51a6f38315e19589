//! reckon-sources: reads what MSPs export (PSA billing, vendor usage,
//! mapping tables) into core records. Every reader works over `impl Read`;
//! opening files is the caller's job.

pub mod canonical;
pub mod convert;
mod error;
mod fields;
pub mod input;
pub mod profiles;
mod table;
pub mod values;

pub use error::{SourceError, SourceErrorKind};
pub use fields::{DateCache, parse_decimal, parse_timestamp};
