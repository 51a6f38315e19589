//! `reckon map`: suggestions on a small data set with the traps mapping
//! meets (a site tail, a typo, two PSA clients with the same name, a name
//! nobody has, a rename), and decisions recorded in the mapping files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn reckon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reckon"))
        .args(args)
        .output()
        .expect("reckon runs")
}

fn data_set() -> (tempfile::TempDir, PathBuf) {
    let work = tempfile::tempdir().expect("temp dir");
    let data = work.path().join("data");
    std::fs::create_dir(&data).expect("mkdir");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/map_data");
    for entry in std::fs::read_dir(source).expect("map_data") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, data.join(path.file_name().expect("name"))).expect("copy");
    }
    (work, data)
}

fn suggestions(data: &Path, products: bool) -> Vec<serde_json::Value> {
    let data = data.display().to_string();
    let mut args = vec!["map", "suggest", "--data", &data, "--json"];
    if products {
        args.push("--products");
    }
    let output = reckon(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON array")
}

fn for_reference<'v>(
    all: &'v [serde_json::Value],
    source: &str,
    id: &str,
) -> Vec<&'v serde_json::Value> {
    all.iter()
        .filter(|s| s["source"] == source && s["external_client_id"] == id)
        .collect()
}

#[test]
fn suggestions_rank_clients_and_hold_ambiguous_names_below_auto_mapping() {
    let (_work, data) = data_set();
    let all = suggestions(&data, false);
    let tenant = for_reference(&all, "m365", "3f6a1c2e-8b4d-4e7a-9c1f-2d5b7e9a0c41");
    assert_eq!(tenant[0]["client_id"], "19321");
    assert_eq!(tenant[0]["score"], 95);
    assert_eq!(tenant[0]["auto"], true);
    let site = for_reference(&all, "ninjaone", "3");
    assert_eq!(site[0]["client_id"], "19321");
    let typo = for_reference(&all, "ninjaone", "4");
    assert_eq!(typo[0]["client_id"], "19322");
    assert!(
        typo[0]["score"].as_u64().unwrap() < 90,
        "a typo is never auto-mapped"
    );
    let shared = for_reference(&all, "ninjaone", "5");
    assert!(shared.iter().all(|s| s["score"].as_u64().unwrap() < 90));
    assert!(
        shared[0]["reason"]
            .as_str()
            .unwrap()
            .contains("2 PSA clients have that name")
    );
    let unknown = for_reference(&all, "ninjaone", "6");
    assert_eq!(unknown.len(), 1);
    assert!(unknown[0]["client_id"].is_null());
    // Mapped references are not suggested again.
    assert!(for_reference(&all, "sentinelone", "1402738294098263101").is_empty());

    let text = reckon(&["map", "suggest", "--data", &data.display().to_string()]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(
            "sentinelone 1402738294098263101: was \"Contoso Dental\", now \"Contoso Dental LLC\""
        ),
        "{text}"
    );
}

#[test]
fn decisions_are_recorded_and_rejections_remembered() {
    let (_work, data) = data_set();
    let dir = data.display().to_string();
    let accept = reckon(&[
        "map", "accept", "client", "ninjaone", "4", "19322", "--data", &dir,
    ]);
    assert!(
        accept.status.success(),
        "{}",
        String::from_utf8_lossy(&accept.stderr)
    );
    let map = std::fs::read_to_string(data.join("client_map.csv")).expect("client_map.csv");
    assert!(
        map.contains("ninjaone,4,19322,NORTHWND LOGISTICS\n"),
        "{map}"
    );

    let again = reckon(&[
        "map", "accept", "client", "ninjaone", "4", "19321", "--data", &dir,
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already mapped to 19322"));
    let replaced = reckon(&[
        "map",
        "accept",
        "client",
        "ninjaone",
        "4",
        "19321",
        "--replace",
        "--data",
        &dir,
    ]);
    assert!(replaced.status.success());
    let map = std::fs::read_to_string(data.join("client_map.csv")).expect("client_map.csv");
    assert!(
        map.contains("ninjaone,4,19321,") && !map.contains("ninjaone,4,19322"),
        "{map}"
    );

    let unknown = reckon(&[
        "map", "accept", "client", "ninjaone", "6", "99999", "--data", &dir,
    ]);
    assert_eq!(unknown.status.code(), Some(2));

    let reject = reckon(&[
        "map", "reject", "client", "ninjaone", "5", "19340", "--data", &dir,
    ]);
    assert!(reject.status.success());
    let all = suggestions(&data, false);
    assert!(
        for_reference(&all, "ninjaone", "5")
            .iter()
            .all(|s| s["client_id"] != "19340"),
        "a rejected suggestion came back"
    );

    let product = reckon(&[
        "map",
        "accept",
        "product",
        "ninjaone",
        "WINDOWS_WORKSTATION",
        "MS-WKS",
        "--units",
        "1",
        "--data",
        &dir,
    ]);
    assert!(product.status.success());
    let products = std::fs::read_to_string(data.join("product_map.csv")).expect("product_map.csv");
    assert!(
        products.contains("ninjaone,WINDOWS_WORKSTATION,MS-WKS,1\n"),
        "{products}"
    );
}

#[test]
fn automatic_mapping_takes_only_firm_unrivalled_suggestions() {
    let (_work, data) = data_set();
    let dir = data.display().to_string();
    let low = reckon(&["map", "auto", "--threshold", "70", "--data", &dir]);
    assert_eq!(
        low.status.code(),
        Some(2),
        "auto-mapping below the threshold is refused"
    );
    let auto = reckon(&["map", "auto", "--data", &dir]);
    assert!(auto.status.success());
    let map = std::fs::read_to_string(data.join("client_map.csv")).expect("client_map.csv");
    assert!(
        map.contains("m365,3f6a1c2e-8b4d-4e7a-9c1f-2d5b7e9a0c41,19321,Contoso Dental LLC\n"),
        "{map}"
    );
    assert!(map.contains("ninjaone,3,19321,"), "{map}");
    for not_auto in ["ninjaone,4,", "ninjaone,5,", "ninjaone,6,"] {
        assert!(
            !map.contains(not_auto),
            "{not_auto} was mapped automatically:\n{map}"
        );
    }
}

#[test]
fn products_are_suggested_by_the_sku_name() {
    let (_work, data) = data_set();
    let all = suggestions(&data, true);
    let standard: Vec<_> = all
        .iter()
        .filter(|s| s["sku"] == "O365_BUSINESS_PREMIUM")
        .collect();
    assert_eq!(standard[0]["product_id"], "M365-BS", "{standard:?}");
    assert_eq!(standard[0]["sku_name"], "Microsoft 365 Business Standard");
}

#[test]
fn unmapped_findings_carry_their_suggestions() {
    let (work, data) = data_set();
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
    let findings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("findings.json")).expect("json"))
            .expect("valid JSON");
    let typo = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["kind"] == "unmapped_client" && f["key"] == "4")
        .expect("the unmapped NinjaOne organization 4");
    assert_eq!(typo["suggestions"][0]["id"], "19322");
    assert_eq!(typo["suggestions"][0]["name"], "Northwind Logistics");
    // A Microsoft SKU's part number reads as its name in the evidence.
    let text = std::fs::read_to_string(out.join("findings.json")).expect("json");
    assert!(
        text.contains("\"sku\":\"SPB\",\"sku_name\":\"Microsoft 365 Business Premium\""),
        "no SKU name in the evidence"
    );
}

#[test]
fn mappings_export_to_one_file_and_import_back_with_conflicts_refused() {
    let (work, data) = data_set();
    let dir = data.display().to_string();
    let exported = work.path().join("mapping.toml");
    let export = reckon(&[
        "map",
        "export",
        "--data",
        &dir,
        "--out",
        &exported.display().to_string(),
    ]);
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let text = std::fs::read_to_string(&exported).expect("exported");
    assert!(
        text.contains("reference = \"1402738294098263101\""),
        "{text}"
    );
    assert!(text.contains("sku = \"SPB\""), "{text}");

    // Rules added by hand, and the CSV mappings moved into the file.
    let with_rules = format!("{text}\n[clients.\"19321\"]\nincluded = {{ \"M365-BP\" = 10 }}\n");
    std::fs::write(&exported, with_rules).expect("write");
    std::fs::remove_file(data.join("client_map.csv")).expect("rm");
    std::fs::remove_file(data.join("product_map.csv")).expect("rm");
    let import = reckon(&[
        "map",
        "import",
        &exported.display().to_string(),
        "--data",
        &dir,
    ]);
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let out = work.path().join("out");
    let run = reckon(&[
        "run",
        "--data",
        &dir,
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

    let conflicting = work.path().join("conflict.toml");
    std::fs::write(
        &conflicting,
        "[[client]]\nsource = \"sentinelone\"\nreference = \"1402738294098263101\"\nclient = \"19322\"\n\n[[client]]\nsource = \"sentinelone\"\nreference = \"1402738294098263101\"\nclient = \"19321\"\n",
    )
    .expect("write");
    let refused = reckon(&[
        "map",
        "import",
        &conflicting.display().to_string(),
        "--data",
        &dir,
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("mapped to both"));
}

#[test]
fn decisions_keep_every_column_and_never_copy_mapping_toml_into_the_csv_files() {
    let (_work, data) = data_set();
    let dir = data.display().to_string();
    std::fs::write(
        data.join("client_map.csv"),
        "source,external_client_id,client_id,external_name,domain\n\
         m365,3f6a1c2e-8b4d-4e7a-9c1f-2d5b7e9a0c41,19321,Contoso Dental LLC,contosodental.com\n",
    )
    .expect("write");
    std::fs::write(
        data.join("product_map.csv"),
        "source,sku,product_id,units,rounding\nm365,SPB,M365-BP,1,up\n",
    )
    .expect("write");
    std::fs::write(
        data.join("mapping.toml"),
        "[[client]]\nsource = \"sentinelone\"\nreference = \"1402738294098263101\"\nclient = \"19321\"\n",
    )
    .expect("write");
    let accept = reckon(&[
        "map", "accept", "client", "ninjaone", "4", "19322", "--data", &dir,
    ]);
    assert!(
        accept.status.success(),
        "{}",
        String::from_utf8_lossy(&accept.stderr)
    );
    let clients = std::fs::read_to_string(data.join("client_map.csv")).expect("read");
    assert!(
        clients.contains(",contosodental.com"),
        "the domain column was lost:\n{clients}"
    );
    assert!(
        !clients.contains("sentinelone"),
        "mapping.toml was copied:\n{clients}"
    );

    let toml_conflict = reckon(&[
        "map",
        "accept",
        "client",
        "sentinelone",
        "1402738294098263101",
        "19322",
        "--data",
        &dir,
    ]);
    assert_eq!(toml_conflict.status.code(), Some(2));

    let units = reckon(&[
        "map", "accept", "product", "m365", "SPB", "M365-BP", "--units", "2", "--data", &dir,
    ]);
    assert!(units.status.success());
    let products = std::fs::read_to_string(data.join("product_map.csv")).expect("read");
    assert!(products.contains("m365,SPB,M365-BP,2,up"), "{products}");
    let zero = reckon(&[
        "map", "accept", "product", "m365", "SPB", "M365-BS", "--units", "0", "--data", &dir,
    ]);
    assert_eq!(zero.status.code(), Some(2));

    let reject = reckon(&[
        "map", "reject", "client", "ninjaone", "4", "19322", "--data", &dir,
    ]);
    assert!(reject.status.success());
    let clients = std::fs::read_to_string(data.join("client_map.csv")).expect("read");
    assert!(
        !clients.contains("ninjaone,4,"),
        "a rejected mapping stayed:\n{clients}"
    );
}
