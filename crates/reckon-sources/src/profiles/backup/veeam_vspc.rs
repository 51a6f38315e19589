//! Veeam Service Provider Console REST API v3: companies
//! (`/organizations/companies`), Veeam Agent machines managed by the console
//! (`/protectedWorkloads/computersManagedByConsole`) and the backup agents
//! (`/infrastructure/backupAgents`, for activation time and licence mode).
//!
//! Each protected computer is one item (`veeam_agent_server`,
//! `_workstation` or `_unknown` by `operationMode`), by its short lowercase
//! hostname (the payload has no serial), so that it meets the same machine
//! in RMM and EDR sources; the full `name` stays in `hostname`. Veeam does not charge
//! a workload in its first month and stops counting one with no restore
//! point for 31 days (DOMAIN.md), so the status is, first match wins: the
//! company's status when not Active; `unlicensed` for an agent running
//! UnLicensed; `no_restore_point` when it never backed up;
//! `no_restore_point_31d` when its latest restore point is more than 31
//! days before as-of; `first_month` when the agent was activated in the
//! period; else `active`. Those workloads are kept as evidence, not counted.

use hashbrown::HashMap;
use jiff::{SignedDuration, Timestamp};

use super::shared::source_name;
use crate::convert::{ClientSeen, Measured, ProductSeen, Side, UsageOut};
use crate::input::Record;
use crate::profiles::{
    ACTIVE, Context, DeviceClass, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun,
    ProfileSpec, Step, device_identity, instant, need, outcome, text, utc_date,
};

const SOURCE: &str = "veeam_vspc";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "Veeam Service Provider Console protected computers (REST API v3)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "companies",
                PartRole::Reference,
                "organizations/companies: names and status",
            )
            .required(&["instanceUid", "name", "status", "subscriptionPlanUid"])
            .optional(&["resellerUid", "permissions"])
            .envelope("data"),
            PartSpec::new(
                "backup_agents",
                PartRole::Reference,
                "infrastructure/backupAgents: activation time and licence mode",
            )
            .required(&[
                "instanceUid",
                "activationTime",
                "operationMode",
                "managementAgentUid",
            ])
            .optional(&["organizationUid", "name", "status", "platform"])
            .envelope("data"),
            PartSpec::new(
                "computers",
                PartRole::Main,
                "protectedWorkloads/computersManagedByConsole: the protected computers",
            )
            .required(&[
                "backupAgentUid",
                "organizationUid",
                "latestRestorePointDate",
                "operationMode",
            ])
            .optional(&["name", "numberOfJobs"])
            .envelope("data"),
        ],
    };
    Profile::new(spec, |context: &Context| VeeamRun {
        source: source_name(context, SOURCE),
        context: context.clone(),
        companies: HashMap::new(),
        agents: HashMap::new(),
    })
}

struct Company {
    name: String,
    status: String,
}

struct Agent {
    operation_mode: String,
    activated: Option<Timestamp>,
}

struct VeeamRun {
    source: String,
    context: Context,
    companies: HashMap<String, Company>,
    agents: HashMap<String, Agent>,
}

/// Days without a restore point after which Veeam stops counting a workload.
const RESTORE_POINT_DAYS: i64 = 31;

impl VeeamRun {
    fn company(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["instanceUid"])?;
        let name = text(record, &["name"]);
        out.client(ClientSeen {
            source: self.source.clone(),
            id: id.to_string(),
            name: name.to_string(),
            ..ClientSeen::default()
        });
        self.companies.insert(
            id.to_string(),
            Company {
                name: name.to_string(),
                status: text(record, &["status"]).to_string(),
            },
        );
        Ok(())
    }

    fn agent(&mut self, record: &Record<'_>) -> Step<()> {
        let id = need(record, &["instanceUid"])?;
        self.agents.insert(
            id.to_string(),
            Agent {
                operation_mode: text(record, &["operationMode"]).to_string(),
                activated: instant(record, &["activationTime"])?,
            },
        );
        Ok(())
    }

    fn status(
        &self,
        company: Option<&Company>,
        agent: Option<&Agent>,
        restore: Option<Timestamp>,
    ) -> String {
        if let Some(company) = company
            && !company.status.is_empty()
            && !company.status.eq_ignore_ascii_case("active")
        {
            return company.status.to_ascii_lowercase();
        }
        if agent.is_some_and(|a| a.operation_mode.eq_ignore_ascii_case("unlicensed")) {
            return "unlicensed".to_string();
        }
        let Some(restore) = restore else {
            return "no_restore_point".to_string();
        };
        let cutoff = self.context.as_of - SignedDuration::from_hours(24 * RESTORE_POINT_DAYS);
        if restore < cutoff {
            return "no_restore_point_31d".to_string();
        }
        if let Some(activated) = agent.and_then(|a| a.activated) {
            let day = utc_date(activated);
            if day >= self.context.period_start && day <= self.context.period_end {
                return "first_month".to_string();
            }
        }
        ACTIVE.to_string()
    }

    fn computer(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let agent_id = need(record, &["backupAgentUid"])?;
        let client_ref = need(record, &["organizationUid"])?;
        let name = need(record, &["name"])?;
        let restore = instant(record, &["latestRestorePointDate"])?;
        let company = self.companies.get(client_ref);
        let agent = self.agents.get(agent_id);
        let (sku, sku_name, class) = match text(record, &["operationMode"])
            .to_ascii_lowercase()
            .as_str()
        {
            "server" => (
                "veeam_agent_server",
                "Veeam Agent (server)",
                DeviceClass::Server,
            ),
            "workstation" => (
                "veeam_agent_workstation",
                "Veeam Agent (workstation)",
                DeviceClass::Workstation,
            ),
            _ => (
                "veeam_agent_unknown",
                "Veeam Agent (unknown)",
                DeviceClass::Other,
            ),
        };
        let status = self.status(company, agent, restore);
        let client_name = company.map(|c| c.name.clone()).unwrap_or_default();
        if company.is_none() {
            out.client(ClientSeen {
                source: self.source.clone(),
                id: client_ref.to_string(),
                ..ClientSeen::default()
            });
        }
        out.product(ProductSeen {
            source: self.source.clone(),
            id: sku.to_string(),
            name: sku_name.to_string(),
            unit_price: None,
        });
        out.usage(UsageOut {
            source: self.source.clone(),
            client_ref: client_ref.to_string(),
            client_name,
            sku: sku.to_string(),
            sku_name: sku_name.to_string(),
            measured: Measured::Item(device_identity("", name).0),
            status,
            last_seen: restore,
            hostname: name.to_string(),
            agent_id: agent_id.to_string(),
            device_class: class.as_str().to_string(),
            serial: String::new(),
        });
        Ok(())
    }
}

impl ProfileRun for VeeamRun {
    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "companies" => self.company(record, out),
            "backup_agents" => self.agent(record),
            _ => self.computer(record, out),
        })
    }
}
