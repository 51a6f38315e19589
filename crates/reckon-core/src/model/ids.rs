//! Identifier newtypes. Every id is the stable id of its own system (a PSA
//! company id, a tenant GUID, an RMM organization id), never a display name.

use std::fmt;
use std::sync::Arc;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Arc<str>);

        impl $name {
            pub fn new(id: impl Into<Arc<str>>) -> Self {
                $name(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.into())
            }
        }
    };
}

id_type!(
    /// A client (company) as the PSA identifies it.
    ClientId
);
id_type!(
    /// A product or service in the PSA catalogue.
    ProductId
);
id_type!(
    /// A usage feed: `m365`, `rmm`, `backup`, a named vendor profile, ...
    SourceId
);
id_type!(
    /// One PSA billing line (an agreement addition, a contract service).
    LineId
);
