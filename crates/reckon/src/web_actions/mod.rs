//! What the web app asks of the binary (see `reckon_web`'s action traits).

pub mod mapping;
