//! Autotask PSA (Datto) recurring-service contracts: the REST API query
//! results (`POST {Entity}/query`, records under `items`) of Companies,
//! Contracts, ContractServices, Services and ContractServiceUnits.
//!
//! The quantity billed this period is the `units` of the **one**
//! ContractServiceUnits row that overlaps the period and covers its last
//! day: a row starting mid-month (units changed mid-period) bills, and the
//! change is noted. Rows are never summed: a row that does not overlap the
//! period is of another period, one that ended within the period was
//! superseded (both excluded with their real range); a second row covering
//! the last day is unreadable (rows are read in one pass, so the later
//! start cannot replace a line already written), and a contract service
//! with none is noted at the end. The
//! contract must be a Recurring Service contract (`contractType` 7), active
//! (`status` 1) and live on the period's last day by its dates: status
//! alone does not decide. Price and cost come from the units row, falling
//! back to the contract service's adjusted (negotiated) price.
//!
//! The picklist codes are Autotask's defaults; a tenant that renumbered
//! them would need `Contracts/entityInformation/fields`.

use hashbrown::HashMap;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::period::Period;
use crate::convert::{BillingOut, ClientSeen, ProductSeen, Side};
use crate::input::Record;
use crate::profiles::{
    Context, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun, ProfileSpec, Step, date, need,
    need_number, number, outcome, text,
};

/// `contractType` of a Recurring Service contract: Autotask's default
/// picklist value (from memory of the picklist, not confirmed by a source
/// read; see the fixture's NOTES.md). A tenant that renumbered its
/// picklists needs `Contracts/entityInformation/fields`.
const RECURRING_SERVICE: &str = "7";
/// Contract `status` of an active contract (Autotask's default picklist:
/// 1 = Active, 0 = Inactive; same caveat as [`RECURRING_SERVICE`]).
const ACTIVE_CONTRACT: &str = "1";
/// Autotask's own company (the MSP) has id 0.
const OWN_COMPANY: &str = "0";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: "autotask".to_string(),
        title: "Autotask PSA recurring-service contracts (REST API JSON)".to_string(),
        source: String::new(),
        side: Side::Billing,
        parts: vec![
            PartSpec::new("companies", PartRole::Reference, "Companies: client names")
                .required(&["id", "companyName", "companyNumber|companyType"])
                .optional(&["isActive", "webAddress", "companyType"]),
            PartSpec::new(
                "contracts",
                PartRole::Reference,
                "Contracts: each contract's company, type, status and dates",
            )
            .required(&["id", "companyID", "contractName", "contractType", "status"])
            .optional(&["startDate", "endDate", "contractNumber", "contractCategory"])
            .needed(),
            PartSpec::new(
                "contract_services",
                PartRole::Reference,
                "ContractServices: the services on each contract and their negotiated price",
            )
            .required(&["id", "contractID", "serviceID", "unitPrice|adjustedPrice"])
            .optional(&[
                "adjustedPrice",
                "unitCost",
                "invoiceDescription",
                "quoteItemID",
            ])
            .needed(),
            // `vendorCompanyID` / `markupRate` are on Services but not on
            // ServiceBundles (which share name, periodType and unitPrice),
            // so a bundle list is never read as the service names.
            PartSpec::new("services", PartRole::Reference, "Services: service names")
                .required(&[
                    "id",
                    "name",
                    "periodType",
                    "unitPrice",
                    "vendorCompanyID|markupRate",
                ])
                .optional(&[
                    "unitCost",
                    "invoiceDescription",
                    "isActive",
                    "billingCodeID",
                ]),
            PartSpec::new(
                "service_units",
                PartRole::Main,
                "ContractServiceUnits: the units of each contract service per period",
            )
            .required(&["contractServiceID", "units", "startDate", "endDate"])
            .optional(&[
                "contractID",
                "serviceID",
                "price",
                "cost",
                "approveAndPostDate",
                "id",
            ]),
        ],
    };
    Profile::new(spec, |context: &Context| AutotaskRun {
        period: Period::of(context),
        companies: HashMap::new(),
        contracts: HashMap::new(),
        contract_services: HashMap::new(),
        services: HashMap::new(),
        covered: HashMap::new(),
    })
}

#[derive(Debug, Clone)]
struct Contract {
    name: String,
    company_id: String,
    /// Why the contract bills nothing this period, if it does not.
    not_billing: Option<String>,
}

#[derive(Debug, Clone)]
struct ContractService {
    contract_id: String,
    service_id: String,
    price: Option<Decimal>,
    cost: Option<Decimal>,
    description: String,
}

struct AutotaskRun {
    period: Period,
    companies: HashMap<String, String>,
    contracts: HashMap<String, Contract>,
    contract_services: HashMap<String, ContractService>,
    services: HashMap<String, String>,
    /// Contract services whose units row for the period's last day was
    /// billed: that row's id and start.
    covered: HashMap<String, (String, Date)>,
}

/// Why a contract bills nothing in the period, by type, status and dates.
fn contract_excluded(
    contract_type: &str,
    status: &str,
    start: Option<Date>,
    end: Option<Date>,
    period: Period,
) -> Option<String> {
    if contract_type != RECURRING_SERVICE {
        return Some(format!(
            "not a recurring service contract (type {contract_type})"
        ));
    }
    if status != ACTIVE_CONTRACT {
        return Some(format!("contract inactive (status {status})"));
    }
    if let Some(start) = start
        && start > period.end
    {
        return Some(format!("contract starts {start}, after the period"));
    }
    if let Some(end) = end
        && end < period.end
    {
        return Some(format!("contract ended {end}"));
    }
    None
}

impl AutotaskRun {
    fn company(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["id"])?;
        let name = text(record, &["companyName"]);
        self.companies.insert(id.to_string(), name.to_string());
        if id == OWN_COMPANY {
            return Err(Outcome::Excluded(
                "the MSP's own company (id 0)".to_string(),
            ));
        }
        out.client(ClientSeen {
            source: "psa".to_string(),
            id: id.to_string(),
            name: name.to_string(),
            domain: text(record, &["webAddress"]).to_string(),
            ..ClientSeen::default()
        });
        Ok(())
    }

    fn contract(&mut self, record: &Record<'_>) -> Step<()> {
        let id = need(record, &["id"])?;
        let company_id = need(record, &["companyID"])?;
        let not_billing = contract_excluded(
            need(record, &["contractType"])?,
            need(record, &["status"])?,
            date(record, &["startDate"])?,
            date(record, &["endDate"])?,
            self.period,
        );
        self.contracts.insert(
            id.to_string(),
            Contract {
                name: text(record, &["contractName"]).to_string(),
                company_id: company_id.to_string(),
                not_billing,
            },
        );
        Ok(())
    }

    fn contract_service(&mut self, record: &Record<'_>) -> Step<()> {
        let id = need(record, &["id"])?;
        let service = ContractService {
            contract_id: need(record, &["contractID"])?.to_string(),
            service_id: need(record, &["serviceID"])?.to_string(),
            price: number(record, &["adjustedPrice", "unitPrice"])?,
            cost: number(record, &["unitCost"])?,
            description: text(record, &["invoiceDescription"]).to_string(),
        };
        self.contract_services.insert(id.to_string(), service);
        Ok(())
    }

    fn service(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["id"])?;
        let name = text(record, &["name"]);
        self.services.insert(id.to_string(), name.to_string());
        out.product(ProductSeen {
            source: "psa".to_string(),
            id: id.to_string(),
            name: name.to_string(),
            unit_price: number(record, &["unitPrice"])?,
        });
        Ok(())
    }

    fn service_units(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let units_id = match text(record, &["id"]) {
            "" => format!("at {}", record.location),
            id => id.to_string(),
        };
        let line_id = need(record, &["contractServiceID"])?;
        let service = self.contract_services.get(line_id).ok_or_else(|| {
            Outcome::unreadable(
                "contractServiceID",
                format!("contract service {line_id} is not in the ContractServices file"),
            )
        })?;
        let contract = self.contracts.get(&service.contract_id).ok_or_else(|| {
            Outcome::unreadable(
                "contractID",
                format!(
                    "contract {} is not in the Contracts file",
                    service.contract_id
                ),
            )
        })?;
        let start = date(record, &["startDate"])?
            .ok_or_else(|| Outcome::unreadable("startDate", "is empty"))?;
        let end = date(record, &["endDate"])?
            .ok_or_else(|| Outcome::unreadable("endDate", "is empty"))?;
        let units = need_number(record, &["units"])?;
        let unit_price = number(record, &["price"])?
            .or(service.price)
            .unwrap_or_default();
        let unit_cost = number(record, &["cost"])?.or(service.cost);
        let product_id = text(record, &["serviceID"]);
        let product_id = if product_id.is_empty() {
            service.service_id.as_str()
        } else {
            product_id
        };
        let product_name = self
            .services
            .get(product_id)
            .filter(|name| !name.is_empty())
            .cloned()
            .unwrap_or_else(|| service.description.clone());
        let client_name = self
            .companies
            .get(&contract.company_id)
            .cloned()
            .unwrap_or_default();
        out.client(ClientSeen {
            source: "psa".to_string(),
            id: contract.company_id.clone(),
            name: client_name.clone(),
            ..ClientSeen::default()
        });
        if start > self.period.end || end < self.period.start {
            return Err(Outcome::Excluded(format!(
                "units of another period ({start}..{end})"
            )));
        }
        if end < self.period.end {
            return Err(Outcome::Excluded(format!(
                "units ended within the period ({start}..{end})"
            )));
        }
        if let Some(reason) = &contract.not_billing {
            return Err(Outcome::Excluded(reason.clone()));
        }
        if let Some((billed_id, billed_start)) = self.covered.get(line_id) {
            return Err(Outcome::unreadable(
                "startDate",
                format!(
                    "a second ContractServiceUnits row ({units_id}, from {start}) covers the \
                     period's last day for contract service {line_id}; row {billed_id} (from \
                     {billed_start}) was billed: which one Autotask bills is unclear"
                ),
            ));
        }
        self.covered
            .insert(line_id.to_string(), (units_id.clone(), start));
        if start > self.period.start {
            out.note(
                "units changed mid-period",
                &format!(
                    "contract service {line_id}: {} units from {start} (row {units_id}) billed",
                    units.normalize()
                ),
            );
        }
        out.billing(BillingOut {
            line_id: line_id.to_string(),
            client_id: contract.company_id.clone(),
            client_name,
            product_id: product_id.to_string(),
            product_name,
            quantity: units.normalize(),
            unit_price,
            unit_cost,
            description: service.description.clone(),
            agreement: contract.name.clone(),
            agreement_id: service.contract_id.clone(),
            included: None,
            quantity_source: String::new(),
        });
        Ok(())
    }
}

impl ProfileRun for AutotaskRun {
    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "companies" => self.company(record, out),
            "contracts" => self.contract(record),
            "contract_services" => self.contract_service(record),
            "services" => self.service(record, out),
            _ => self.service_units(record, out),
        })
    }

    /// A contract service of a billing contract with no units row for the
    /// period bills nothing: worth a look.
    fn finish(&mut self, out: &mut dyn Emit) {
        let mut missing: Vec<&String> = self
            .contract_services
            .iter()
            .filter(|(id, service)| {
                !self.covered.contains_key(*id)
                    && self
                        .contracts
                        .get(&service.contract_id)
                        .is_some_and(|contract| contract.not_billing.is_none())
            })
            .map(|(id, _)| id)
            .collect();
        missing.sort();
        for id in missing {
            out.note(
                "no ContractServiceUnits row covers the period's last day",
                &format!("contract service {id}"),
            );
        }
    }
}
