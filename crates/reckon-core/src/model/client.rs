use super::ClientId;

/// A client of the MSP, as the PSA knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
}
