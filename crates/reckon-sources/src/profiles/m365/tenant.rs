//! The tenant a per-tenant Microsoft 365 file belongs to when the file
//! does not name it: the user's `--client-ref`, else the tenant's initial
//! `*.onmicrosoft.com` domain, seen in a UPN or a proxy address. Records
//! (usage and subscriptions) read before the domain shows up wait for it;
//! when the tenant never shows, they are written with an empty client
//! reference and a note says so: never silently.

use crate::convert::{ClientSeen, SubscriptionOut, UsageOut};
use crate::input::Location;
use crate::profiles::Emit;

/// The tenant's initial domain in `text` (a UPN, or proxy addresses joined
/// with `+`): `northwindlogistics.onmicrosoft.com`, lowercase, without the
/// `.mail.` infix of routing addresses.
pub fn onmicrosoft_domain(text: &str) -> Option<String> {
    text.split(['+', ',', ';', ' '])
        .filter_map(|address| address.rsplit_once('@').map(|(_, domain)| domain))
        .map(|domain| domain.trim().to_ascii_lowercase())
        .find(|domain| domain.ends_with(".onmicrosoft.com"))
        .map(|domain| domain.replace(".mail.onmicrosoft.com", ".onmicrosoft.com"))
}

/// The client reference of usage records whose tenant may be learnt late.
#[derive(Debug, Default)]
pub struct TenantRef {
    source: String,
    client_ref: Option<String>,
    client_name: String,
    /// Set once the file showed its initial domain.
    domain: String,
    /// Records kept until the tenant is known, with where they were read.
    waiting: Vec<(UsageOut, String, Location)>,
    waiting_subscriptions: Vec<(SubscriptionOut, String, Location)>,
}

impl TenantRef {
    pub fn new(source: &str, client_ref: Option<String>, client_name: Option<String>) -> TenantRef {
        TenantRef {
            source: source.to_string(),
            client_ref: client_ref.filter(|reference| !reference.trim().is_empty()),
            client_name: client_name.unwrap_or_default(),
            ..TenantRef::default()
        }
    }

    /// Fixes the tenant (a tenant id read from the file itself).
    /// A different tenant than before brings its own name.
    pub fn set(&mut self, client_ref: &str, client_name: &str) {
        let switching = self
            .client_ref
            .as_deref()
            .is_some_and(|current| current != client_ref);
        self.client_ref = Some(client_ref.to_string());
        if switching || self.client_name.is_empty() {
            self.client_name = client_name.to_string();
        }
    }

    /// Switches to another tenant of the same conversion (a users file
    /// named after its tenant): its name replaces the previous one.
    pub fn set_current(&mut self, client_ref: &str, client_name: &str) {
        self.client_ref = Some(client_ref.to_string());
        self.client_name = client_name.to_string();
    }

    /// A name for the tenant when none was given (`accountName`), even
    /// before its reference is known.
    pub fn name_hint(&mut self, client_name: &str) {
        if self.client_name.is_empty() {
            self.client_name = client_name.to_string();
        }
    }

    /// Takes the initial domain if the tenant is still unknown.
    pub fn learn_domain(&mut self, domain: Option<String>, out: &mut dyn Emit) {
        let Some(domain) = domain else {
            return;
        };
        if self.domain.is_empty() {
            self.domain = domain.clone();
            if self.client_ref.is_none() {
                self.client_ref = Some(domain);
            }
            self.announce(out);
        }
    }

    /// The client as this source names it.
    pub fn announce(&self, out: &mut dyn Emit) {
        if let Some(client_ref) = &self.client_ref {
            out.client(ClientSeen {
                source: self.source.clone(),
                id: client_ref.clone(),
                name: self.client_name.clone(),
                domain: self.domain.clone(),
                ..ClientSeen::default()
            });
        }
    }

    /// Emits the record now when the tenant is known, else keeps it.
    pub fn emit(&mut self, mut record: UsageOut, out: &mut dyn Emit) {
        match &self.client_ref {
            Some(client_ref) => {
                record.client_ref = client_ref.clone();
                record.client_name = self.client_name.clone();
                out.usage(record);
            }
            None => {
                let (file, location) = out.here();
                self.waiting.push((record, file, location));
            }
        }
    }

    /// Emits the subscription now when the tenant is known, else keeps it.
    pub fn emit_subscription(&mut self, mut subscription: SubscriptionOut, out: &mut dyn Emit) {
        match &self.client_ref {
            Some(client_ref) => {
                subscription.client_ref = client_ref.clone();
                subscription.client_name = self.client_name.clone();
                out.subscription(subscription);
            }
            None => {
                let (file, location) = out.here();
                self.waiting_subscriptions
                    .push((subscription, file, location));
            }
        }
    }

    /// Emits the records that waited; without any tenant they keep an empty
    /// client reference, with a note saying how to give one.
    pub fn finish(&mut self, out: &mut dyn Emit) {
        if self.waiting.is_empty() && self.waiting_subscriptions.is_empty() {
            return;
        }
        if self.client_ref.is_none() {
            out.note(
                "tenant unknown",
                &format!(
                    "the files name no tenant id and no *.onmicrosoft.com address: {} usage \
                     record(s) and {} subscription(s) written with an empty client_ref; \
                     pass --client-ref",
                    self.waiting.len(),
                    self.waiting_subscriptions.len()
                ),
            );
        }
        for (mut subscription, file, location) in std::mem::take(&mut self.waiting_subscriptions) {
            subscription.client_ref = self.client_ref.clone().unwrap_or_default();
            subscription.client_name = self.client_name.clone();
            out.subscription_from(subscription, &file, location);
        }
        for (mut record, file, location) in std::mem::take(&mut self.waiting) {
            record.client_ref = self.client_ref.clone().unwrap_or_default();
            record.client_name = self.client_name.clone();
            out.usage_from(record, &file, location);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::{BillingOut, ProductSeen};

    #[derive(Default)]
    struct Seen {
        usage: Vec<UsageOut>,
        subscriptions: Vec<SubscriptionOut>,
        notes: Vec<String>,
    }

    impl Emit for Seen {
        fn billing(&mut self, _line: BillingOut) {}
        fn usage(&mut self, record: UsageOut) {
            self.usage.push(record);
        }
        fn subscription(&mut self, subscription: SubscriptionOut) {
            self.subscriptions.push(subscription);
        }
        fn client(&mut self, _client: ClientSeen) {}
        fn product(&mut self, _product: ProductSeen) {}
        fn note(&mut self, reason: &str, detail: &str) {
            self.notes.push(format!("{reason}: {detail}"));
        }
    }

    #[test]
    fn subscriptions_wait_for_the_tenant() {
        let mut seen = Seen::default();
        let mut tenant = TenantRef::new("m365", None, None);
        tenant.name_hint("Fabrikam");
        tenant.emit_subscription(SubscriptionOut::default(), &mut seen);
        assert!(seen.subscriptions.is_empty());
        tenant.learn_domain(Some("fabrikam.onmicrosoft.com".to_string()), &mut seen);
        tenant.finish(&mut seen);
        assert_eq!(seen.subscriptions[0].client_ref, "fabrikam.onmicrosoft.com");
        assert_eq!(seen.subscriptions[0].client_name, "Fabrikam");
        assert!(seen.notes.is_empty());
    }

    #[test]
    fn an_unknown_tenant_is_never_silent() {
        let mut seen = Seen::default();
        let mut tenant = TenantRef::new("m365", None, None);
        tenant.emit_subscription(SubscriptionOut::default(), &mut seen);
        tenant.finish(&mut seen);
        assert_eq!(seen.subscriptions.len(), 1);
        assert_eq!(seen.subscriptions[0].client_ref, "");
        assert_eq!(seen.notes.len(), 1);
        assert!(
            seen.notes[0].contains("1 subscription(s)"),
            "{}",
            seen.notes[0]
        );
    }

    #[test]
    fn the_initial_domain_is_found_in_addresses() {
        assert_eq!(
            onmicrosoft_domain("SMTP:a@northwind.com+smtp:a@Northwind.mail.onmicrosoft.com"),
            Some("northwind.onmicrosoft.com".to_string())
        );
        assert_eq!(
            onmicrosoft_domain("jane_contoso.com#EXT#@northwind.onmicrosoft.com"),
            Some("northwind.onmicrosoft.com".to_string())
        );
        assert_eq!(onmicrosoft_domain("a@northwind.com"), None);
    }
}
