//! What the web app asks of the binary (see `reckon_web`'s action traits).

pub mod mapping;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests: fail loudly
mod mapping_tests;
