//! Table-driven tests of the mapping suggestions on realistic names.

mod clients;
mod names;
mod products;
