use crate::mapping::{
    AUTO_MAP_THRESHOLD, ClientSuggestion, ExternalClient, KnownMapping, PsaClient, Reason,
    Rejection, suggest_clients,
};

fn psa(id: &str, name: &str, domains: &[&str]) -> PsaClient {
    PsaClient {
        id: id.to_owned(),
        name: name.to_owned(),
        domains: domains.iter().map(|domain| (*domain).to_owned()).collect(),
    }
}

fn external(name: &str, domains: &[&str]) -> ExternalClient {
    ExternalClient {
        source: "datto_rmm".to_owned(),
        id: format!("ext-{name}"),
        name: name.to_owned(),
        domains: domains.iter().map(|domain| (*domain).to_owned()).collect(),
        psa_client_id: None,
    }
}

/// A PSA client list with look-alikes on purpose: every true pair must beat
/// its decoys (Contoso Dental / Contoso Pharmacy, Northwind / Southwind, ...).
fn psa_clients() -> Vec<PsaClient> {
    vec![
        psa("c01", "Contoso Dental LLC", &["contosodental.com"]),
        psa(
            "c02",
            "Contoso Pharmacy Inc",
            &["https://www.contosopharmacy.com/"],
        ),
        psa(
            "c03",
            "Northwind Logistics Ltd",
            &["northwindlogistics.co.uk"],
        ),
        psa("c04", "Southwind Logistics Limited", &[]),
        psa("c05", "Smith and Sons Ltd", &[]),
        psa("c06", "Acme Plumbing Co.", &["office@gmail.com"]),
        psa("c07", "Acme Roofing LLC", &["acme-roofing@gmail.com"]),
        psa("c08", "The Fabrikam Group", &[]),
        psa("c09", "Fabrikam, Inc.", &["fabrikam.com"]),
        psa("c10", "Adventure Works Cycles", &[]),
        psa("c11", "Tailspin Toys GmbH", &[]),
        psa("c12", "Wide World Importers Pty Ltd", &[]),
        psa("c13", "Litware, Inc.", &[]),
        psa("c14", "Proseware Corporation", &[]),
        psa("c15", "Woodgrove Bank", &[]),
        psa("c16", "Alpine Ski House", &[]),
        psa("c17", "Coho Winery", &[]),
        psa("c18", "Blue Yonder Airlines", &[]),
        psa("c19", "Fourth Coffee Company", &[]),
        psa("c20", "Margie's Travel", &[]),
        psa("c21", "Lamna Healthcare Company", &[]),
        psa("c22", "Trey Research", &[]),
        psa("c23", "Relecloud International Services LLC", &[]),
        psa("c24", "Graphic Design Institute", &[]),
        psa("c25", "Humongous Insurance", &[]),
        psa("c26", "Wingtip Toys", &[]),
        psa("c27", "O'Brien & Kelly Accountants PC", &[]),
        psa("c28", "Johnson Family Dental", &[]),
        psa("c29", "Johnson Law Firm PLLC", &[]),
        psa("c30", "Mueller Technik GmbH & Co. KG", &[]),
        psa("c31", "Best For You Organics Company", &[]),
        psa("c32", "VanArsdel Ltd", &[]),
        psa("c33", "A. Datum Corporation", &[]),
        psa("c34", "Woodgrove Insurance", &[]),
    ]
}

struct TruePair {
    what: &'static str,
    external: ExternalClient,
    expected: &'static str,
}

fn pair(what: &'static str, external: ExternalClient, expected: &'static str) -> TruePair {
    TruePair {
        what,
        external,
        expected,
    }
}

fn true_pairs() -> Vec<TruePair> {
    let mut linked = external("Coho (RMM site)", &[]);
    linked.psa_client_id = Some("c17".to_owned());
    let mut tenant_seen_before = external("GDI", &[]);
    tenant_seen_before.source = "partner_center".to_owned();
    tenant_seen_before.id = "6F1C2A9E-0000-4000-8000-00000000C024".to_owned();
    vec![
        pair(
            "legal suffix omitted",
            external("Contoso Dental", &[]),
            "c01",
        ),
        pair(
            "case and dotted suffix",
            external("CONTOSO DENTAL, L.L.C.", &[]),
            "c01",
        ),
        pair("ampersand", external("Smith & Sons", &[]), "c05"),
        pair(
            "plus and Limited",
            external("Smith + Sons Limited", &[]),
            "c05",
        ),
        pair("typo", external("Northwnd Logistics", &[]), "c03"),
        pair(
            "site tail",
            external("Northwind Logistics - Warehouse", &[]),
            "c03",
        ),
        pair("leading The", external("Fabrikam Group", &[]), "c08"),
        pair("comma suffix", external("Fabrikam Inc", &[]), "c09"),
        pair("shorter name", external("Adventure Works", &[]), "c10"),
        pair("GmbH omitted", external("Tailspin Toys", &[]), "c11"),
        pair(
            "Pty Ltd omitted",
            external("WIDE WORLD IMPORTERS", &[]),
            "c12",
        ),
        pair("Inc without comma", external("Litware Inc", &[]), "c13"),
        pair(
            "Corp. for Corporation",
            external("Proseware Corp.", &[]),
            "c14",
        ),
        pair(
            "bracketed site",
            external("Woodgrove Bank (Head Office)", &[]),
            "c15",
        ),
        pair("dropped letter", external("Alpine Ski Hous", &[]), "c16"),
        pair("extra word", external("Coho Vineyard & Winery", &[]), "c17"),
        pair(
            "Inc added",
            external("Blue Yonder Airlines Inc", &[]),
            "c18",
        ),
        pair("Company omitted", external("Fourth Coffee", &[]), "c19"),
        pair("apostrophe", external("Margies Travel", &[]), "c20"),
        pair("split word", external("Lamna Health Care", &[]), "c21"),
        pair("trailing dot", external("Trey Research Inc.", &[]), "c22"),
        pair("abbreviations", external("Relecloud Intl Svcs", &[]), "c23"),
        pair(
            "typo in second word",
            external("Humongus Insurance", &[]),
            "c25",
        ),
        pair(
            "and for &",
            external("O'Brien and Kelly Accountants", &[]),
            "c27",
        ),
        pair(
            "GmbH & Co. KG",
            external("Mueller Technik GmbH & Co KG", &[]),
            "c30",
        ),
        pair(
            "typo beside a namesake",
            external("Jonson Family Dental", &[]),
            "c28",
        ),
        pair("spacing", external("Van Arsdel", &[]), "c32"),
        pair("initial with dot", external("A Datum Corp", &[]), "c33"),
        pair(
            "prefix abbreviation",
            external("Graphic Design Inst.", &[]),
            "c24",
        ),
        pair("initials", external("CDL", &[]), "c01"),
        pair(
            "tenant initial domain",
            external("Dental Practice Tenant", &["contosodental.onmicrosoft.com"]),
            "c01",
        ),
        pair(
            "tenant initial domain with filler-like word",
            external("BFYO", &["admin@bestforyouorganics.onmicrosoft.com"]),
            "c31",
        ),
        pair(
            "shared domain from an address",
            external("Front Desk", &["frontdesk@contosopharmacy.com"]),
            "c02",
        ),
        pair("PSA link", linked, "c17"),
        pair("same tenant id mapped for m365", tenant_seen_before, "c24"),
    ]
}

fn known_mappings() -> Vec<KnownMapping> {
    vec![KnownMapping {
        source: "m365".to_owned(),
        external_id: "6f1c2a9e-0000-4000-8000-00000000c024".to_owned(),
        client_id: "c24".to_owned(),
    }]
}

fn describe(suggestions: &[ClientSuggestion]) -> String {
    suggestions
        .iter()
        .map(|s| {
            format!(
                "{} {} {} ({})",
                s.client_id, s.client_name, s.score, s.reason
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn true_pairs_put_the_right_client_first() {
    let clients = psa_clients();
    let known = known_mappings();
    let pairs = true_pairs();
    assert!(pairs.len() >= 25);
    for case in &pairs {
        let suggestions = suggest_clients(&case.external, &clients, &known, &[], 5);
        let first = suggestions.first();
        assert_eq!(
            first.map(|s| s.client_id.as_str()),
            Some(case.expected),
            "{}: {:?} got {}",
            case.what,
            case.external.name,
            describe(&suggestions)
        );
        // The right client may tie no other: a person must not have to guess.
        if let [best, second, ..] = suggestions.as_slice() {
            assert!(
                best.score > second.score,
                "{}: tie {}",
                case.what,
                describe(&suggestions)
            );
        }
    }
}

#[test]
fn fuzzy_true_pairs_land_in_the_review_band() {
    let clients = psa_clients();
    let cases = [
        ("Northwnd Logistics", "c03"),
        ("Humongus Insurance", "c25"),
        ("Jonson Family Dental", "c28"),
        ("Alpine Ski Hous", "c16"),
        ("Tailspn Toys", "c11"),
        ("Graphic Design Inst.", "c24"),
        ("Adventure Works", "c10"),
    ];
    for (name, expected) in cases {
        let suggestions = suggest_clients(&external(name, &[]), &clients, &[], &[], 1);
        let best = &suggestions[0];
        assert_eq!(best.client_id, expected, "{name}");
        assert!(
            (70..AUTO_MAP_THRESHOLD).contains(&best.score),
            "{name}: {}",
            describe(&suggestions)
        );
    }
}

/// External clients whose right PSA client is missing from the list they are
/// matched against: whatever is suggested is wrong.
fn non_matches() -> Vec<(ExternalClient, Vec<PsaClient>)> {
    let only = |id: &str, name: &str| vec![psa(id, name, &[])];
    vec![
        (
            external("Southwind Logistics", &[]),
            only("w1", "Northwind Logistics Ltd"),
        ),
        (
            external("Contoso Pharmacy", &[]),
            only("w2", "Contoso Dental LLC"),
        ),
        (
            external("Acme Roofing", &[]),
            only("w3", "Acme Plumbing Co."),
        ),
        (
            external("Wingtip Toys", &[]),
            only("w4", "Tailspin Toys GmbH"),
        ),
        (
            external("Johnson Law Firm", &[]),
            only("w5", "Johnson Family Dental"),
        ),
        (
            external("Woodgrove Bank", &[]),
            only("w6", "Woodgrove Insurance"),
        ),
        (
            external("Blue Sky Airlines", &[]),
            only("w7", "Blue Yonder Airlines"),
        ),
        (
            external("Smith and Jones Ltd", &[]),
            only("w8", "Smith and Sons Ltd"),
        ),
        (
            external("Northwind Traders", &[]),
            only("w9", "Northwind Logistics Ltd"),
        ),
        (
            external("ABC Plumbing", &[]),
            only("w10", "Acme Plumbing Co."),
        ),
        (
            external("First Up Consultants", &[]),
            only("w11", "First Choice Consultants"),
        ),
        (
            external("Alpine Ski Shop", &[]),
            only("w12", "Alpine Ski House"),
        ),
        (external("CDX", &[]), only("w13", "Contoso Dental LLC")),
        (
            external("Fabrikam Inc", &[]),
            only("w14", "The Fabrikam Group"),
        ),
        (
            external("Contoso - Warehouse", &[]),
            only("w15", "Contoso - Main Office"),
        ),
        (
            external("Contoso Store 12", &[]),
            only("w16", "Contoso Store 13"),
        ),
        (
            external("Jane Doe Bookkeeping", &["jane.doe@gmail.com"]),
            vec![psa("w17", "Acme Plumbing", &["acmeplumbing@gmail.com"])],
        ),
        (
            external("Contoso", &["contoso.onmicrosoft.com"]),
            only("w18", "Contoso Dental LLC"),
        ),
        (
            external("Lamna Health", &["lamnahealth.onmicrosoft.com"]),
            only("w19", "Lamna Pharmacy"),
        ),
        (
            external("Tenant", &["acme.onmicrosoft.com"]),
            vec![
                psa("w20", "Acme Roofing LLC", &[]),
                psa("w21", "Acne Clinic", &[]),
            ],
        ),
    ]
}

#[test]
fn non_matches_stay_below_auto_map_and_mostly_below_seventy() {
    let cases = non_matches();
    assert!(cases.len() >= 15);
    let mut below_seventy = 0;
    for (external_client, wrong_clients) in &cases {
        let suggestions = suggest_clients(external_client, wrong_clients, &[], &[], 5);
        let best_score = suggestions.first().map_or(0, |s| s.score);
        assert!(
            best_score < AUTO_MAP_THRESHOLD,
            "{:?} reached auto-map: {}",
            external_client.name,
            describe(&suggestions)
        );
        if best_score < 70 {
            below_seventy += 1;
        }
    }
    assert!(
        below_seventy * 4 >= cases.len() * 3,
        "only {below_seventy} of {} below 70",
        cases.len()
    );
}

#[test]
fn no_wrong_candidate_in_the_table_reaches_auto_map() {
    let clients = psa_clients();
    let known = known_mappings();
    for case in true_pairs() {
        for suggestion in suggest_clients(&case.external, &clients, &known, &[], usize::MAX) {
            if suggestion.client_id != case.expected {
                assert!(
                    suggestion.score < AUTO_MAP_THRESHOLD,
                    "{}: wrong {} at {}",
                    case.what,
                    suggestion.client_name,
                    suggestion.score
                );
            }
        }
    }
}

#[test]
fn firm_signals_score_in_their_bands() {
    let clients = psa_clients();
    let known = known_mappings();
    let score_of =
        |case: &TruePair| suggest_clients(&case.external, &clients, &known, &[], 1)[0].score;
    let pairs = true_pairs();
    let by_what = |what: &str| {
        pairs
            .iter()
            .find(|case| case.what == what)
            .map(score_of)
            .expect("case exists")
    };
    assert_eq!(by_what("PSA link"), 99);
    assert_eq!(by_what("same tenant id mapped for m365"), 97);
    assert_eq!(by_what("legal suffix omitted"), 95);
    assert_eq!(by_what("shared domain from an address"), 92);
    assert_eq!(by_what("tenant initial domain"), 90);
    let initials = by_what("initials");
    assert!((50..=80).contains(&initials), "initials scored {initials}");
}

#[test]
fn reasons_read_as_one_sentence() {
    let mut linked = external("Anything", &[]);
    linked.psa_client_id = Some("19321".to_owned());
    let clients = vec![psa("19321", "Contoso Dental LLC", &[])];
    let suggestions = suggest_clients(&linked, &clients, &[], &[], 1);
    assert_eq!(
        suggestions[0].reason.to_string(),
        "the source names PSA company 19321"
    );
    let shared = Reason::SharedDomain {
        domain: "contoso.com".to_owned(),
    };
    assert_eq!(shared.to_string(), "both use the domain contoso.com");
    let fuzzy = Reason::Name {
        similarity: 87,
        matched: "Northwind Logistics Ltd".to_owned(),
    };
    assert_eq!(
        fuzzy.to_string(),
        "the name is 87% like \"Northwind Logistics Ltd\""
    );
}

#[test]
fn rejected_pairs_are_never_suggested() {
    let clients = psa_clients();
    let mut linked = external("Contoso Dental", &["contosodental.com"]);
    linked.psa_client_id = Some("c01".to_owned());
    let rejected = vec![Rejection {
        source: linked.source.clone(),
        external_id: linked.id.clone(),
        client_id: "C01".to_owned(),
    }];
    let suggestions = suggest_clients(&linked, &clients, &[], &rejected, usize::MAX);
    assert!(
        suggestions.iter().all(|s| s.client_id != "c01"),
        "{}",
        describe(&suggestions)
    );
    // A rejection for another source or another external id does not apply.
    let elsewhere = vec![Rejection {
        source: "pax8".to_owned(),
        external_id: linked.id.clone(),
        client_id: "c01".to_owned(),
    }];
    let suggestions = suggest_clients(&linked, &clients, &[], &elsewhere, 1);
    assert_eq!(suggestions[0].client_id, "c01");
}

#[test]
fn order_is_deterministic_and_ties_go_by_client_id() {
    let clients = psa_clients();
    let probe = external("Contoso", &[]);
    let forward = suggest_clients(&probe, &clients, &[], &[], usize::MAX);
    let mut reversed_clients = clients.clone();
    reversed_clients.reverse();
    let backward = suggest_clients(&probe, &reversed_clients, &[], &[], usize::MAX);
    assert_eq!(forward, backward);
    assert!(forward.windows(2).all(|pair| {
        pair[0].score > pair[1].score
            || (pair[0].score == pair[1].score && pair[0].client_id < pair[1].client_id)
    }));

    let twins = vec![
        psa("b", "Fourth Coffee", &[]),
        psa("a", "Fourth Coffee Co", &[]),
        psa("b", "Fourth Coffee", &[]),
    ];
    let tied = suggest_clients(&external("Fourth Coffee", &[]), &twins, &[], &[], 5);
    let ids: Vec<&str> = tied.iter().map(|s| s.client_id.as_str()).collect();
    assert_eq!(ids, ["a", "b"], "duplicates collapse, ties by id");
}

#[test]
fn limit_caps_the_list_and_zero_gives_nothing() {
    let clients = psa_clients();
    let probe = external("Contoso", &[]);
    assert_eq!(suggest_clients(&probe, &clients, &[], &[], 1).len(), 1);
    assert!(suggest_clients(&probe, &clients, &[], &[], 0).is_empty());
    assert!(suggest_clients(&external("", &[]), &clients, &[], &[], 5).is_empty());
}
