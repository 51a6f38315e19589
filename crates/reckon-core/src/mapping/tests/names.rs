use crate::mapping::{DomainKind, DomainStem, domain_stem, normalise_company};

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|word| (*word).to_owned()).collect()
}

#[test]
fn company_names_reduce_to_identifying_words() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("Contoso Dental LLC", &["contoso", "dental"], &[]),
        ("CONTOSO DENTAL, L.L.C.", &["contoso", "dental"], &[]),
        ("Smith & Sons Ltd", &["smith", "sons"], &[]),
        ("Smith + Sons", &["smith", "sons"], &[]),
        ("The Fabrikam Group", &["fabrikam", "group"], &[]),
        (
            "Wide World Importers Pty Ltd",
            &["wide", "world", "importers"],
            &[],
        ),
        (
            "Mueller Technik GmbH & Co. KG",
            &["mueller", "technik"],
            &[],
        ),
        ("Smith & Co.", &["smith"], &[]),
        ("Margie's Travel", &["margies", "travel"], &[]),
        (
            "Relecloud Intl Svcs",
            &["relecloud", "international", "services"],
            &[],
        ),
        ("Contoso - Main Office", &["contoso"], &["main", "office"]),
        ("Contoso – Leeds", &["contoso"], &["leeds"]),
        (
            "Woodgrove Bank (Head Office)",
            &["woodgrove", "bank"],
            &["head", "office"],
        ),
        ("(Old) Contoso", &["old", "contoso"], &[]),
        ("Bank of Contoso", &["bank", "contoso"], &[]),
        ("Coca-Cola", &["coca", "cola"], &[]),
        ("The Company", &["company"], &[]),
        ("AS Holdings AS", &["as", "holdings"], &[]),
    ];
    for (name, core, site) in cases {
        let normalised = normalise_company(name);
        assert_eq!(normalised.core, words(core), "core of {name:?}");
        assert_eq!(normalised.site, words(site), "site of {name:?}");
    }
}

#[test]
fn initials_count_the_legal_form_too() {
    let name = normalise_company("Contoso Dental LLC");
    assert_eq!(name.initials(), "cd");
    assert_eq!(name.initials_with_legal(), "cdl");
    assert_eq!(name.joined(), "contosodental");
}

#[test]
fn domains_urls_and_addresses_give_their_domain() {
    let registered = |stem: &str| {
        Some(DomainStem {
            stem: stem.to_owned(),
            kind: DomainKind::Registered,
        })
    };
    let tenant = |stem: &str| {
        Some(DomainStem {
            stem: stem.to_owned(),
            kind: DomainKind::TenantInitial,
        })
    };
    let cases = [
        (
            "https://www.contosodental.com/",
            registered("contosodental.com"),
        ),
        (
            "http://contoso.com:8080/path?q=1",
            registered("contoso.com"),
        ),
        ("WWW.Contoso.COM.", registered("contoso.com")),
        ("contoso.onmicrosoft.com", tenant("contoso")),
        (
            "admin@contosodental.onmicrosoft.com",
            tenant("contosodental"),
        ),
        ("contoso.mail.onmicrosoft.com", tenant("contoso")),
        ("a@b.co.uk", registered("b.co.uk")),
        ("mailto:it@fabrikam.com", registered("fabrikam.com")),
        ("mail.contoso.com", registered("mail.contoso.com")),
        ("not a domain", None),
        ("localhost", None),
        ("", None),
        ("contoso..com", None),
    ];
    for (input, expected) in cases {
        assert_eq!(domain_stem(input), expected, "{input:?}");
    }
    let generic = domain_stem("someone@gmail.com").expect("a domain");
    assert!(generic.is_generic());
    let onmicrosoft = domain_stem("onmicrosoft.com").expect("a domain");
    assert!(onmicrosoft.is_generic());
    assert_eq!(
        domain_stem("contoso.onmicrosoft.com")
            .expect("a domain")
            .display_domain(),
        "contoso.onmicrosoft.com"
    );
}
