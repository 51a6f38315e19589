#!/usr/bin/env python3
"""Writes the exports of the convert end-to-end test: one MSP's November 2026
as its tools export it, with discrepancies planted (README.md lists them).

- psa/: ConnectWise Manage API payloads (companies, agreements, additions)
- m365/: Microsoft Graph users and subscribedSkus of Contoso's tenant
- rmm/: NinjaOne organizations and devices of every client
- edr/: SentinelOne agents of every client
- mapping/: the client and product mappings and the PSA catalogue
Run from this folder: python3 make_exports.py
"""
import json
import os

TENANT = "3f6a1c2e-8b4d-4e7a-9c1f-2d5b7e9a0c41"
SPB = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"
FLOW_FREE = "f30db892-07e9-47e9-837c-80727f46fd3d"
NOV = 1795910400  # 2026-11-29T00:00:00Z in Unix seconds
STALE = 1788220800  # 2026-09-01T00:00:00Z


def write(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        if isinstance(value, str):
            f.write(value)
        else:
            json.dump(value, f, indent=1)
            f.write("\n")


# --- PSA: ConnectWise Manage -------------------------------------------------
companies = [
    {"id": 19321, "identifier": "ContosoDental", "name": "Contoso Dental LLC",
     "status": {"id": 1, "name": "Active"}, "website": "www.contosodental.com", "types": []},
    {"id": 19322, "identifier": "Northwind", "name": "Northwind Logistics",
     "status": {"id": 1, "name": "Active"}, "website": "www.northwindlogistics.com", "types": []},
    {"id": 19330, "identifier": "Fabrikam", "name": "Fabrikam Inc",
     "status": {"id": 1, "name": "Active"}, "website": "www.fabrikam.com", "types": []},
]


def agreement(agreement_id, company, name, cancelled=False, status="Active", end=None):
    return {
        "id": agreement_id, "name": name, "type": {"id": 3, "name": "Managed Services"},
        "company": {"id": company["id"], "identifier": company["identifier"], "name": company["name"]},
        "startDate": "2024-01-01T00:00:00Z", "endDate": end, "noEndingDateFlag": end is None,
        "cancelledFlag": cancelled, "agreementStatus": status,
        "billingCycle": {"id": 1, "name": "Monthly"}, "parentAgreementId": None,
    }


agreements = [
    agreement(1201, companies[0], "Contoso - Managed Services"),
    agreement(1210, companies[1], "Northwind - Managed Services"),
    agreement(1220, companies[2], "Fabrikam - Managed Services (old)", cancelled=True,
              status="Cancelled", end="2026-06-30T00:00:00Z"),
    agreement(1221, companies[2], "Fabrikam - Security"),
]


def addition(addition_id, agreement_id, product, description, quantity, price, cost,
             less_included=0, bill="Billable"):
    return {
        "id": addition_id, "agreementId": agreement_id,
        "product": {"id": 800 + addition_id % 100, "identifier": product},
        "description": description, "invoiceDescription": description,
        "quantity": quantity, "lessIncluded": less_included,
        "billedQuantity": quantity - less_included, "unitPrice": price, "unitCost": cost,
        "billCustomer": bill, "effectiveDate": "2024-01-01T00:00:00Z", "cancelledDate": None,
        "uom": "Each", "taxableFlag": True,
    }


additions = [
    addition(50101, 1201, "M365-BP", "Microsoft 365 Business Premium", 38, 22.0, 18.48),
    addition(50102, 1201, "MS-WKS", "Managed Workstation", 25, 45.0, 12.0, less_included=5),
    addition(50103, 1201, "S1-EDR", "SentinelOne Complete EDR", 20, 6.0, 3.2),
    addition(50104, 1201, "BK-SAAS", "Datto SaaS Protection seat", 25, 3.0, 1.2, bill="DoNotBill"),
    addition(50110, 1210, "MS-WKS", "Managed Workstation", 12, 45.0, 12.0),
    addition(50111, 1210, "S1-EDR", "SentinelOne Complete EDR", 10, 6.0, 3.2),
    addition(50120, 1220, "MS-WKS", "Managed Workstation", 8, 45.0, 12.0),
    addition(50121, 1221, "S1-EDR", "SentinelOne Complete EDR", 8, 6.0, 3.2),
]
write("psa/companies.json", companies)
write("psa/agreements.json", agreements)
write("psa/agreement_additions.json", additions)

# --- Microsoft 365: Graph ---------------------------------------------------
users = []


def user(n, upn, enabled=True, kind="Member", skus=(SPB,)):
    users.append({
        "id": f"00000000-0000-4000-8000-{n:012d}", "userPrincipalName": upn,
        "displayName": upn.split("@")[0], "mail": upn, "accountEnabled": enabled,
        "userType": kind, "assignedLicenses": [{"disabledPlans": [], "skuId": s} for s in skus],
        "createdDateTime": "2024-02-01T09:00:00Z",
        "signInActivity": {"lastSignInDateTime": "2026-11-27T08:00:00Z"},
    })


for n in range(1, 43):  # 42 licensed, enabled members: 4 more than billed
    user(n, f"user{n:02d}@contosodental.com")
user(43, "leaver1@contosodental.com", enabled=False)  # disabled, still licensed
user(44, "leaver2@contosodental.com", enabled=False)
user(45, "auditor_contosodental.com#EXT#@contosodental.onmicrosoft.com", kind="Guest")
user(46, "reception@contosodental.com", skus=(FLOW_FREE,))  # a free SKU only
user(47, "shared.mailbox@contosodental.com", skus=())  # unlicensed
write("m365/users.json", {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
                          "value": users})
write("m365/subscribedSkus.json", {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscribedSkus",
    "value": [
        {"accountName": "Contoso Dental LLC", "accountId": TENANT, "appliesTo": "User",
         "capabilityStatus": "Enabled", "consumedUnits": 45, "id": f"{TENANT}_{SPB}",
         "prepaidUnits": {"enabled": 45, "lockedOut": 0, "suspended": 0, "warning": 0},
         "servicePlans": [], "skuId": SPB, "skuPartNumber": "SPB", "subscriptionIds": ["sub-1"]},
        {"accountName": "Contoso Dental LLC", "accountId": TENANT, "appliesTo": "User",
         "capabilityStatus": "Enabled", "consumedUnits": 1, "id": f"{TENANT}_{FLOW_FREE}",
         "prepaidUnits": {"enabled": 10000, "lockedOut": 0, "suspended": 0, "warning": 0},
         "servicePlans": [], "skuId": FLOW_FREE, "skuPartNumber": "FLOW_FREE", "subscriptionIds": []},
    ]})

# --- RMM: NinjaOne -----------------------------------------------------------
organizations = [
    {"id": 3, "name": "Contoso Dental LLC", "description": "", "nodeApprovalMode": "AUTOMATIC"},
    {"id": 4, "name": "Northwind Logistics", "description": "", "nodeApprovalMode": "MANUAL"},
    {"id": 5, "name": "Fabrikam Inc", "description": "", "nodeApprovalMode": "AUTOMATIC"},
    {"id": 9, "name": "Tailspin Toys", "description": "new client", "nodeApprovalMode": "AUTOMATIC"},
]
devices = []


def device(n, org, name, serial, last=NOV, approval="APPROVED", node_class="WINDOWS_WORKSTATION"):
    devices.append({
        "id": n, "organizationId": org, "locationId": org * 10, "nodeClass": node_class,
        "approvalStatus": approval, "offline": False, "displayName": name, "systemName": name,
        "dnsName": f"{name}.local", "created": 1709547322.412, "lastContact": last + 0.5,
        "references": {"organization": {"id": org}},
        "system": {"name": name, "serialNumber": serial, "manufacturer": "Dell Inc.",
                   "model": "OptiPlex 7010", "virtualMachine": False},
    })


for n in range(1, 21):  # Contoso: 20 workstations, billed 25 less 5 included
    device(100 + n, 3, f"CDL-WS{n:02d}", f"CDLSN{n:04d}")
for n in range(1, 10):  # Northwind: 9 workstations, billed 12
    device(200 + n, 4, f"NWL-WS{n:02d}", f"NWLSN{n:04d}")
device(210, 4, "NWL-WS10", "NWLSN0010", approval="PENDING")  # not approved yet
device(211, 4, "NWL-WS11", "NWLSN0011", last=STALE)  # gone since September
for n in range(1, 9):  # Fabrikam: 8 workstations, its workstation line cancelled
    device(300 + n, 5, f"FAB-WS{n:02d}", f"FABSN{n:04d}")
for n in range(1, 4):  # Tailspin: a new client nobody has mapped
    device(900 + n, 9, f"TST-WS{n:02d}", f"TSTSN{n:04d}")
write("rmm/organizations.json", organizations)
write("rmm/devices.json", devices)

# --- EDR: SentinelOne --------------------------------------------------------
SITES = {"3": ("1402738294098263101", "Contoso Dental LLC"),
         "4": ("1402738294098263102", "Northwind Logistics"),
         "5": ("1402738294098263103", "Fabrikam Inc")}
agents = []


def agent(n, org, name, serial, last="2026-11-29T10:00:00.000000Z", decommissioned=False):
    site_id, site_name = SITES[org]
    agents.append({
        "id": str(2069311101000000000 + n), "uuid": f"{n:032x}", "computerName": name,
        "accountId": "1402738293949171235", "accountName": "Example MSP",
        "siteId": site_id, "siteName": site_name, "groupName": "Default Group",
        "isActive": not decommissioned, "isDecommissioned": decommissioned,
        "isUninstalled": False, "isPendingUninstall": False, "lastActiveDate": last,
        "registeredAt": "2024-03-04T10:20:11.004000Z", "machineType": "desktop",
        "osType": "windows", "serialNumber": serial, "networkStatus": "connected",
    })


for n in range(1, 21):  # Contoso: 20 agents, billed 20
    agent(n, "3", f"CDL-WS{n:02d}", f"CDLSN{n:04d}")
agent(21, "3", "CDL-WS05", "CDLSN0005", last="2026-09-14T10:00:00.000000Z")  # reimaged: old agent
for n in range(1, 10):  # Northwind: 9 of the 10 billed, and one decommissioned
    agent(30 + n, "4", f"NWL-WS{n:02d}", f"NWLSN{n:04d}")
agent(40, "4", "NWL-OLD01", "NWLSN0099", decommissioned=True)
for n in range(1, 9):  # Fabrikam: 8 agents, billed 8; one with a placeholder serial
    agent(50 + n, "5", f"FAB-WS{n:02d}",
          "To be filled by O.E.M." if n == 8 else f"FABSN{n:04d}")
write("edr/agents.json", {"data": agents, "pagination": {"nextCursor": None, "totalItems": len(agents)}})

# --- Mappings a person has made once -----------------------------------------
write("mapping/client_map.csv", "source,external_client_id,client_id\n"
      f"m365,{TENANT},19321\n"
      "ninjaone,3,19321\nninjaone,4,19322\nninjaone,5,19330\n"
      "sentinelone,1402738294098263101,19321\nsentinelone,1402738294098263102,19322\n"
      "sentinelone,1402738294098263103,19330\n")
write("mapping/product_map.csv", "source,sku,product_id,units\n"
      "m365,SPB,M365-BP,1\n"
      "ninjaone,WINDOWS_WORKSTATION,MS-WKS,1\n"
      "sentinelone,desktop,S1-EDR,1\nsentinelone,laptop,S1-EDR,1\n")
write("mapping/products.csv", "product_id,product_name,item_type,list_price\n"
      "M365-BP,Microsoft 365 Business Premium,user,22.00\n"
      "MS-WKS,Managed Workstation,device,45.00\n"
      "S1-EDR,SentinelOne Complete EDR,device,6.00\n"
      "BK-SAAS,Datto SaaS Protection seat,user,3.00\n")
