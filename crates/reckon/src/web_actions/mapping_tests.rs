//! The web app's mapping changes on a real workspace: accepting a suggested
//! client stores a new `client_map.csv` snapshot that the next run of the
//! period uses; a product's units factor and counting rules are saved as
//! new snapshots, checked by the readers `reckon run` uses (a bad value
//! named by its field) and audited with old and new.

use std::path::PathBuf;

use super::mapping::WebMapping;
use crate::commands::run::{PeriodRunRequest, run_period};
use crate::importing::{ImportRequest, import_files};
use reckon_store::{FindingQuery, FindingSort, ImportKind, RunStore, Store};
use reckon_web::mapping_actions::{
    AcceptMapping, ActionError, MappingActions, MappingKind, ProductRulesEdit, SkuEdit,
};

const PERIOD: &str = "2026-11";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/map_data")
        .join(name)
}

async fn unmapped_clients(store: &reckon_store::SqlStore, run: i64) -> Vec<(String, String)> {
    let page = store
        .finding_page(&FindingQuery {
            run,
            kind: Some("unmapped_client".to_string()),
            client: None,
            product: None,
            source: None,
            state: None,
            assignee: None,
            search: None,
            today: "2026-12-01".to_string(),
            sort: FindingSort::Money,
            descending: true,
            offset: 0,
            limit: 100,
        })
        .await
        .unwrap();
    page.rows
        .iter()
        .map(|row| (row.finding.item_key.clone(), row.finding.detail.clone()))
        .collect()
}

async fn run(workspace: &crate::workspace::Workspace) -> i64 {
    run_period(
        workspace,
        &PeriodRunRequest {
            period: Some(PERIOD.to_string()),
            as_of: None,
            stale_days: 30,
            strict: false,
            actor: "test".to_string(),
        },
        &mut |_, _, _, _, _, _| Ok(()),
    )
    .await
    .unwrap()
    .run_id
}

/// A workspace with the map_data set imported for PERIOD.
async fn imported_workspace(dir: &std::path::Path) -> crate::workspace::Workspace {
    let workspace = crate::workspace::init(dir, None).await.unwrap();
    let registry = reckon_sources::profiles::Registry::builtin();
    let files: Vec<PathBuf> = [
        "billing.csv",
        "usage.csv",
        "client_map.csv",
        "product_map.csv",
        "products.csv",
    ]
    .iter()
    .map(|name| data(name))
    .collect();
    import_files(
        &workspace,
        &ImportRequest {
            files: &files,
            period: Some(PERIOD.to_string()),
            actor: "test".to_string(),
            now: "2026-11-30T12:00:00Z".parse().unwrap(),
            registry: &registry,
        },
    )
    .await
    .unwrap();
    workspace
}

#[test]
fn a_rejected_suggestion_is_not_in_the_next_run() {
    use reckon_store::MappingStore;
    let dir = tempfile::tempdir().unwrap();
    let runtime = crate::workspace::runtime().unwrap();
    runtime.block_on(async {
        let workspace = imported_workspace(&dir.path().join("ws")).await;
        let suggested = |detail: &str| -> Vec<String> {
            reckon_report::model::ReportFinding::from_json(detail)
                .unwrap()
                .suggestions
                .into_iter()
                .map(|s| s.id)
                .collect()
        };
        let first = run(&workspace).await;
        let before = unmapped_clients(&workspace.store, first).await;
        let (reference, detail) = before
            .iter()
            .find(|(key, _)| key.starts_with("3f6a1c2e"))
            .unwrap()
            .clone();
        assert!(suggested(&detail).contains(&"19321".to_string()));
        workspace
            .store
            .reject_suggestion(&reckon_store::Rejection {
                kind: "client".to_string(),
                source: "m365".to_string(),
                external_id: reference.clone(),
                suggested_id: "19321".to_string(),
                rejected_by: "ann".to_string(),
                rejected_at: "2026-12-01T09:00:00Z".to_string(),
            })
            .await
            .unwrap();
        let second = run(&workspace).await;
        let after = unmapped_clients(&workspace.store, second).await;
        let (_, detail) = after.iter().find(|(key, _)| *key == reference).unwrap();
        assert!(
            !suggested(detail).contains(&"19321".to_string()),
            "the stored run (and its reports) leave the rejected suggestion out: {detail}"
        );
    });
}

#[test]
fn accepting_a_suggestion_maps_the_client_in_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let workspace_dir = dir.path().join("ws");
    let runtime = crate::workspace::runtime().unwrap();
    runtime.block_on(async {
        let workspace = imported_workspace(&workspace_dir).await;
        let first = run(&workspace).await;
        let before = unmapped_clients(&workspace.store, first).await;
        let (reference, detail) = before
            .iter()
            .find(|(key, _)| key.starts_with("3f6a1c2e"))
            .unwrap_or_else(|| panic!("no unmapped m365 tenant: {before:?}"))
            .clone();
        let detail = reckon_report::model::ReportFinding::from_json(&detail).unwrap();
        let suggestion = detail
            .suggestions
            .first()
            .unwrap_or_else(|| panic!("no suggestion: {detail:?}"))
            .clone();
        assert_eq!(suggestion.id, "19321", "{detail:?}");

        let actions = WebMapping::new(workspace.store.clone());
        let message = actions
            .accept(AcceptMapping {
                period: PERIOD.to_string(),
                kind: MappingKind::Client,
                source: "m365".to_string(),
                external_id: reference.clone(),
                target_id: suggestion.id.clone(),
                actor: "ann".to_string(),
            })
            .await
            .unwrap();
        assert!(message.contains("next run"), "{message}");

        // The snapshot: the latest one plus the row, by ann.
        let latest = workspace.store.latest_imports(PERIOD).await.unwrap();
        let client_map = latest
            .iter()
            .find(|i| i.kind == ImportKind::ClientMap)
            .unwrap();
        assert_eq!(client_map.imported_by, "ann");
        let content =
            String::from_utf8(workspace.store.import_content(client_map.id).await.unwrap())
                .unwrap();
        assert!(
            content.contains("sentinelone,1402738294098263101,19321"),
            "{content}"
        );
        assert!(
            content.contains(&format!("m365,{reference},19321")),
            "{content}"
        );
        let current = actions.current(PERIOD).await.unwrap();
        assert!(current.clients.iter().any(|c| c.external_id == reference));

        // The audit trail has the mapping, by ann.
        let audit = workspace.store.audit(Some("mapping")).await.unwrap();
        assert!(
            audit.iter().any(|e| e.actor == "ann"
                && e.entity_id.contains(&reference)
                && e.old_value.is_none()
                && e.new_value.as_deref() == Some("19321")),
            "{audit:?}"
        );

        // The next run maps it.
        let second = run(&workspace).await;
        let after = unmapped_clients(&workspace.store, second).await;
        assert!(
            !after.iter().any(|(key, _)| *key == reference),
            "still unmapped: {after:?}"
        );

        // A client the PSA does not know is refused, naming it.
        let unknown = actions
            .accept(AcceptMapping {
                period: PERIOD.to_string(),
                kind: MappingKind::Product,
                source: "m365".to_string(),
                external_id: "O365_BUSINESS_PREMIUM".to_string(),
                target_id: "NO-SUCH".to_string(),
                actor: "ann".to_string(),
            })
            .await;
        assert!(
            matches!(&unknown, Err(ActionError::User(m)) if m.contains("NO-SUCH")),
            "{unknown:?}"
        );

        // A bad units factor is refused with its field named; nothing stored.
        let imports_before = workspace.store.imports(None).await.unwrap().len();
        let edit = |units: &str, stale: &str| ProductRulesEdit {
            period: PERIOD.to_string(),
            product_id: "M365-BP".to_string(),
            skus: vec![SkuEdit {
                source: "m365".to_string(),
                sku: "SPB".to_string(),
                units: units.to_string(),
                rounding: "up".to_string(),
            }],
            statuses: "active, Disabled".to_string(),
            stale_days: stale.to_string(),
            device_classes: String::new(),
            exclude_items: "svc-scan01".to_string(),
            actor: "ann".to_string(),
        };
        for (units, stale, field) in [
            ("lots", "", "units factor"),
            ("0", "", "units factor"),
            ("2000000", "", "units factor"),
            ("1", "a month", "stale_days"),
        ] {
            let refused = actions.save_product(edit(units, stale)).await;
            match refused {
                Err(ActionError::User(message)) => {
                    assert!(message.contains(field), "{message}")
                }
                other => panic!("{units} {stale}: {other:?}"),
            }
        }
        assert_eq!(
            workspace.store.imports(None).await.unwrap().len(),
            imports_before
        );

        // A good one: product_map.csv and mapping.toml snapshots, audited
        // with old and new, read back as the rules in force.
        actions.save_product(edit("0.5", "45")).await.unwrap();
        let current = actions.current(PERIOD).await.unwrap();
        let spb = current.skus.iter().find(|s| s.sku == "SPB").unwrap();
        assert_eq!((spb.units.as_str(), spb.rounding.as_str()), ("0.5", "up"));
        let counting = current
            .counting
            .iter()
            .find(|c| c.product_id == "M365-BP")
            .unwrap();
        assert_eq!(counting.statuses, ["active", "disabled"]);
        assert_eq!(counting.stale_days, Some(45));
        assert_eq!(counting.exclude_items, ["svc-scan01"]);
        let audit = workspace.store.audit(Some("mapping")).await.unwrap();
        assert!(
            audit.iter().any(|e| e.entity_id.contains("SPB")
                && e.old_value.as_deref() == Some("M365-BP x 1")
                && e.new_value.as_deref() == Some("M365-BP x 0.5 rounded up")),
            "{audit:?}"
        );
        assert!(
            audit.iter().any(|e| e.entity_id == "counting M365-BP"
                && e.old_value.is_none()
                && e.new_value
                    .as_deref()
                    .is_some_and(|v| v.contains("stale_days=45"))),
            "{audit:?}"
        );
        // The run reads the new files.
        run(&workspace).await;
        workspace.store.close().await;
    });
}
