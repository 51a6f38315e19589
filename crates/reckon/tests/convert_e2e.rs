//! `reckon convert` on a PSA export and three vendor exports for the same
//! clients, `reckon map auto` on what it wrote, then `reckon run`: the
//! planted discrepancies of `convert_e2e/README.md` must come out, and
//! nothing else.

use std::path::Path;
use std::process::Command;

fn reckon(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_reckon"))
        .args(args)
        .output()
        .expect("reckon runs")
}

#[test]
fn exports_convert_and_reconcile_to_the_planted_findings() {
    let exports = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/convert_e2e");
    let work = tempfile::tempdir().expect("temp dir");
    let data = work.path().join("data");
    let mut args: Vec<String> = vec!["convert".into()];
    for part in ["psa", "m365", "rmm", "edr"] {
        let mut files: Vec<_> = std::fs::read_dir(exports.join(part))
            .expect("exports")
            .map(|entry| entry.expect("entry").path().display().to_string())
            .collect();
        files.sort();
        args.extend(files);
    }
    args.extend(["--as-of", "2026-11-30", "--out"].map(String::from));
    args.push(data.display().to_string());
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let convert = reckon(&arg_refs);
    let report = String::from_utf8_lossy(&convert.stdout);
    assert!(
        convert.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&convert.stderr)
    );
    for expected in [
        "agreement_additions.json: connectwise additions",
        "users.json: graph users",
        "devices.json: ninjaone devices",
        "agents.json: sentinelone agents",
        "1  not billable: DoNotBill",
        "1  agreement cancelled",
        "1  unlicensed user",
        "Wrote 6 billing lines, 127 usage items, 0 usage counts, 2 subscriptions; 3 rows skipped",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
    // Products are mapped by hand; clients by `reckon map auto`, from the
    // names the exports give (every one of the seven references the hand
    // mapping has, and not Tailspin, which the PSA does not know).
    for mapping in ["product_map.csv", "products.csv"] {
        std::fs::copy(exports.join("mapping").join(mapping), data.join(mapping)).expect("copy");
    }
    let auto = reckon(&["map", "auto", "--data", &data.display().to_string()]);
    assert!(
        auto.status.success(),
        "{}",
        String::from_utf8_lossy(&auto.stderr)
    );
    let auto_report = String::from_utf8_lossy(&auto.stdout);
    assert!(
        auto_report.contains("7 client references mapped automatically"),
        "{auto_report}"
    );
    let mapped = std::fs::read_to_string(data.join("client_map.csv")).expect("client_map.csv");
    let by_hand =
        std::fs::read_to_string(exports.join("mapping/client_map.csv")).expect("hand mapping");
    for line in by_hand.lines().skip(1) {
        assert!(
            mapped.contains(&format!("{line},")),
            "{line} not mapped:\n{mapped}"
        );
    }
    let out = work.path().join("out");
    let run = reckon(&[
        "run",
        "--data",
        &data.display().to_string(),
        "--as-of",
        "2026-11-30",
        "--out",
        &out.display().to_string(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let recon = std::fs::read_to_string(out.join("recon.csv")).expect("recon.csv");
    assert_eq!(
        recon,
        "client_id,product_id,billed_qty,actual_qty,diff,unit_price,impact,status\n\
         19321,M365-BP,38,42,4,22.00,88.00,underbilled\n\
         19321,MS-WKS,20,20,0,45.00,0.00,match\n\
         19321,S1-EDR,20,20,0,6.00,0.00,match\n\
         19322,MS-WKS,12,9,-3,45.00,-135.00,overbilled\n\
         19322,S1-EDR,10,9,-1,6.00,-6.00,overbilled\n\
         19330,MS-WKS,0,8,8,45.00,360.00,usage_not_billed\n\
         19330,S1-EDR,8,8,0,6.00,0.00,match\n"
    );
    let exceptions = std::fs::read_to_string(out.join("exceptions.csv")).expect("exceptions.csv");
    assert_eq!(
        exceptions,
        "kind,client_id,product_id,source,key,count\n\
         disabled_licensed,19321,M365-BP,,auditor_contosodental.com#ext#@contosodental.onmicrosoft.com,1\n\
         disabled_licensed,19321,M365-BP,,leaver1@contosodental.com,1\n\
         disabled_licensed,19321,M365-BP,,leaver2@contosodental.com,1\n\
         disabled_licensed,19322,MS-WKS,,nwlsn0010,1\n\
         disabled_licensed,19322,S1-EDR,,nwlsn0099,1\n\
         stale_item,19321,S1-EDR,,cdlsn0005,1\n\
         stale_item,19322,MS-WKS,,nwlsn0011,1\n\
         unmapped_client,,,ninjaone,9,3\n\
         unmapped_sku,19321,,m365,FLOW_FREE,1\n"
    );
    // The evidence keeps each item's own status from the export.
    let findings = std::fs::read_to_string(out.join("findings.json")).expect("findings.json");
    for status in ["\"pending_approval\"", "\"decommissioned\"", "\"guest\""] {
        assert!(findings.contains(status), "findings.json lacks {status}");
    }
}

#[test]
fn a_file_no_profile_knows_fails_cleanly_and_writes_nothing() {
    let work = tempfile::tempdir().expect("temp dir");
    let bad = work.path().join("export.csv");
    std::fs::write(&bad, "Foo,Bar\n1,2\n").expect("write");
    let out = work.path().join("out");
    let result = reckon(&[
        "convert",
        &bad.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--as-of",
        "2026-11-30",
    ]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("export.csv: matches no profile (it has Foo, Bar)"),
        "{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(&out)
        .map(|d| d.count())
        .into_iter()
        .collect();
    assert!(
        left.is_empty() || left == [0],
        "files left behind: {left:?}"
    );
}

#[test]
fn profiles_lists_every_source_with_the_fields_it_needs() {
    let result = reckon(&["profiles", "--profiles-dir", "/nonexistent/reckon-profiles"]);
    assert!(result.status.success());
    let listing = String::from_utf8_lossy(&result.stdout);
    for name in [
        "connectwise",
        "connectwise_csv",
        "autotask",
        "halopsa",
        "syncro",
        "graph",
        "m365_admin_users",
        "partner_center",
        "pax8",
        "ninjaone",
        "datto_rmm",
        "ncentral",
        "automate",
        "datto_bcdr",
        "datto_saas",
        "veeam_vspc",
        "acronis",
        "cove",
        "sentinelone",
        "huntress",
        "crowdstrike",
        "defender",
    ] {
        assert!(
            listing
                .lines()
                .any(|line| line.starts_with(&format!("{name}  "))),
            "{name} is not listed:\n{listing}"
        );
    }
    assert!(listing.contains("needs: agreementId, product.identifier, quantity, billCustomer"));
}

#[test]
fn a_custom_profile_is_saved_once_and_used_by_name() {
    let work = tempfile::tempdir().expect("temp dir");
    let profiles = work.path().join("profiles");
    let mapping = work.path().join("acme.toml");
    std::fs::write(
        &mapping,
        "name = \"acme\"\nside = \"usage\"\nsource = \"acme_backup\"\n[columns]\nclient_ref = \"Customer\"\nsku = \"Plan\"\nitem_id = \"Serial\"\n",
    )
    .expect("write");
    let dir = profiles.display().to_string();
    let added = reckon(&[
        "profiles",
        "--add",
        &mapping.display().to_string(),
        "--profiles-dir",
        &dir,
    ]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let export = work.path().join("acme export.csv");
    std::fs::write(&export, "Customer,Plan,Serial\nC1,SERVER,ABC123\n").expect("write");
    let out = work.path().join("out");
    let converted = reckon(&[
        "convert",
        &export.display().to_string(),
        "--profiles-dir",
        &dir,
        "--as-of",
        "2026-11-30",
        "--out",
        &out.display().to_string(),
    ]);
    assert!(
        converted.status.success(),
        "{}",
        String::from_utf8_lossy(&converted.stderr)
    );
    assert!(String::from_utf8_lossy(&converted.stdout).contains(": acme rows"));
    let usage = std::fs::read_to_string(out.join("usage.csv")).expect("usage.csv");
    assert!(
        usage.contains("\nacme_backup,C1,SERVER,ABC123,active,"),
        "{usage}"
    );
}
