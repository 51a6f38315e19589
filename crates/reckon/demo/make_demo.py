#!/usr/bin/env python3
"""Generate the built-in demo data set of `reckon demo`, then check its planted findings.

    python3 make_demo.py [--out DIR]       # DIR defaults to the directory of this script

Writes billing.csv, usage.csv, client_map.csv, product_map.csv, products.csv, clients.csv and
README.md. Standard library only; a fixed seed makes the output byte-identical on every run.

The demo is a small, mostly healthy MSP: 12 clients, four usage feeds (m365, rmm, edr, backup)
and a ConnectWise-style PSA. Every quantity below is fixed by hand; the random generator only
picks names, serial numbers, tenant GUIDs and timestamps. Each discrepancy is planted on purpose
and listed in EXPECTED_PAIRS / EXPECTED_ITEMS. After writing the files the script re-reads them,
applies the reconciliation rules of shared/bench/README.md, and aborts unless the result equals
those two tables exactly (every other pair must be a match).
"""
import argparse
import csv
import datetime as dt
import os
import random
import sys
import uuid

SEED = 20261031
AS_OF = dt.datetime(2026, 10, 31, 0, 0, 0)       # UTC
STALE_DAYS = 30
CUTOFF = AS_OF - dt.timedelta(days=STALE_DAYS)   # last_seen before this => stale

# ---------------------------------------------------------------------------------------------
# PSA catalogue and SKU mapping: product_id, name, item_type, list_price, source, [(sku, units)]
PRODUCTS = [
    ("M365-BB", "Microsoft 365 Business Basic", "user", "6.00", "m365",
     [("O365_BUSINESS_ESSENTIALS", 1)]),
    ("M365-BS", "Microsoft 365 Business Standard", "user", "12.50", "m365",
     [("O365_BUSINESS_PREMIUM", 1)]),
    ("M365-BP", "Microsoft 365 Business Premium", "user", "22.00", "m365",
     [("SPB", 1), ("Microsoft_365_Business_Premium_Donation_(Non_Profit_Pricing)", 1)]),
    ("O365-E3", "Office 365 E3", "user", "23.00", "m365", [("ENTERPRISEPACK", 1)]),
    ("EXO-P1", "Exchange Online (Plan 1)", "user", "4.00", "m365", [("EXCHANGESTANDARD", 1)]),
    ("TEAMS-PHONE", "Microsoft Teams Phone Standard", "user", "10.00", "m365", [("MCOEV", 1)]),
    ("BACKUP-M365", "Microsoft 365 Backup (per user)", "user", "3.50", "backup", [("SAAS_M365", 1)]),
    ("RMM-WS", "Managed Workstation (RMM)", "device", "8.00", "rmm",
     [("WINDOWS_WORKSTATION", 1), ("MAC", 1)]),
    ("RMM-SRV", "Managed Server (RMM)", "device", "25.00", "rmm",
     [("WINDOWS_SERVER", 1), ("LINUX_SERVER", 1)]),
    ("EDR-WS", "EDR Workstation", "device", "7.00", "edr", [("COMPLETE_WORKSTATION", 1)]),
    ("EDR-SRV", "EDR Server", "device", "12.00", "edr", [("COMPLETE_SERVER", 1)]),
    ("BACKUP-DEV", "Endpoint Backup (per device)", "device", "15.00", "backup", [("ENDPOINT_WS", 1)]),
    ("BACKUP-SRV-TB", "Server Backup (per TB protected)", "tb", "50.00", "backup",
     [("SERVER_1TB", 1), ("SERVER_2TB", 2), ("SERVER_4TB", 4), ("SERVER_8TB", 8)]),
]
PROD = {p[0]: p for p in PRODUCTS}
SKU = {(p[4], sku): (p[0], units) for p in PRODUCTS for sku, units in p[5]}
SOURCES = ["m365", "rmm", "edr", "backup"]

# ---------------------------------------------------------------------------------------------
# The answer key. Pairs not listed here must come out as `match`.
# (client_id, product_id): (status, billed, actual, unit_price, impact, why)
EXPECTED_PAIRS = {
    ("CW-1001", "M365-BP"): ("underbilled", 38, 42, "22.00", "88.00",
                             "42 active, licensed users; the agreement still says 38 seats"),
    ("CW-1002", "BACKUP-DEV"): ("overbilled", 12, 9, "15.00", "-45.00",
                                "3 laptops retired in September left the backup portal, not the agreement"),
    ("CW-1002", "M365-BS"): ("underbilled", 22, 24, "12.50", "25.00",
                             "2 new dispatchers licensed, not added to the agreement"),
    ("CW-1003", "EDR-WS"): ("overbilled", 18, 17, "7.00", "-7.00",
                            "stale workstation (see stale_item) is still billed"),
    ("CW-1003", "RMM-WS"): ("overbilled", 18, 17, "8.00", "-8.00",
                            "stale workstation (see stale_item) is still billed"),
    ("CW-1004", "M365-BP"): ("overbilled", 24, 22, "22.00", "-44.00",
                             "2 leavers disabled but still licensed (see disabled_licensed) and still billed"),
    ("CW-1005", "EDR-WS"): ("underbilled", 11, 13, "7.00", "14.00",
                            "2 laptops onboarded in October, agreement not updated"),
    ("CW-1005", "RMM-WS"): ("underbilled", 11, 13, "8.00", "16.00",
                            "2 laptops onboarded in October, agreement not updated"),
    ("CW-1007", "BACKUP-DEV"): ("underbilled", 4, 5, "15.00", "15.00",
                                "a 5th PC was added to endpoint backup"),
    ("CW-1008", "EXO-P1"): ("billed_no_usage", 2, 0, "4.00", "-8.00",
                            "2 mailboxes converted to shared (licence removed), still billed"),
    ("CW-1009", "EDR-SRV"): ("usage_not_billed", 0, 2, "12.00", "24.00",
                             "EDR deployed on both servers, never added to the agreement (list price)"),
    ("CW-1010", "BACKUP-M365"): ("billed_no_usage", 11, 0, "3.50", "-38.50",
                                 "Microsoft 365 backup sold but never deployed"),
    ("CW-1011", "M365-BP"): ("overbilled", 19, 18, "21.00", "-21.00",
                             "a leaver's licence was removed, the agreement was not reduced"),
    ("CW-1012", "BACKUP-M365"): ("usage_not_billed", 0, 14, "3.50", "49.00",
                                 "Microsoft 365 backup switched on for 14 users, no agreement line (list price)"),
}
# Item rows, keyed (kind, client_id, product_id, source, key) -> count. Keys that depend on the
# generated names are filled in by build() through the PLANTED dictionary.
PLANTED = {}


def expected_items():
    P = PLANTED
    return {
        ("cross_client_item", "CW-1007", "BACKUP-DEV", "", P["cross_serial"].lower()): 2,
        ("cross_client_item", "CW-1007", "RMM-WS", "", P["cross_serial"].lower()): 2,
        ("cross_client_item", "CW-1011", "EDR-WS", "", P["cross_serial"].lower()): 2,
        ("disabled_licensed", "CW-1004", "M365-BP", "", P["leavers"][0]): 1,
        ("disabled_licensed", "CW-1004", "M365-BP", "", P["leavers"][1]): 1,
        ("duplicate_item", "CW-1008", "M365-BS", "", P["dup_upn"]): 2,
        ("duplicate_item", "CW-1009", "RMM-WS", "", P["dup_serial"].lower()): 2,
        ("stale_item", "CW-1003", "EDR-WS", "", P["stale_serial"].lower()): 1,
        ("stale_item", "CW-1003", "RMM-WS", "", P["stale_serial"].lower()): 1,
        ("unmapped_client", "", "", "m365", P["acq_tenant"]): 6,
        ("unmapped_sku", "CW-1003", "", "rmm", "HYPERV_VMM_HOST"): 1,
        ("unmapped_sku", "CW-1004", "", "m365", "Microsoft_365_Copilot"): 3,
    }


# ---------------------------------------------------------------------------------------------
FIRST = ("James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara "
         "Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Daniel Lisa Matthew Nancy "
         "Anthony Betty Mark Sandra Steven Ashley Paul Emily Andrew Donna Joshua Michelle Kevin "
         "Carol Brian Amanda George Melissa Timothy Deborah Ryan Stephanie Jason Rebecca Jacob Laura "
         "Gary Cynthia Nicholas Amy Eric Kathleen Jonathan Angela Justin Anna Scott Brenda Brandon "
         "Emma Samuel Olivia Gregory Rachel Benjamin Heather Aaron Maria Adam Diane Nathan Julie "
         "Oliver Charlotte Harry Amelia George Isla Jack Sophie Alfie Grace Freddie Chloe Arthur "
         "Priya Raj Mei Carlos Lucia Ahmed Fatima Tomasz Aisha Luis Ana Connor Niamh Ethan Zoe").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
        "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez "
        "Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores "
        "Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Phillips Evans Turner "
        "Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Bailey Reed "
        "Kelly Howard Cox Ward Richardson Watson Brooks Wood James Bennett Gray Hughes Price Sanders "
        "Patel Myers Long Ross Foster Fletcher Hughes Shah Khan Walsh OBrien Kowalski Chen Okafor "
        "Davies Wright Atkinson Holloway Pritchard Whitaker Ellison Barker Dunn").split()

DELL_CH = "0123456789BCDFGHJKLMNPQRSTVWXYZ"
ALNUM = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class Demo:
    def __init__(self):
        self.r = random.Random(SEED)
        self.serials = set()
        self.usage = []          # [source, client_ref, sku, item_id, status, last_seen, vendor_name]
        self.billing = []        # [client_id, client_name, product_id, quantity, unit_price]
        self.clients = []        # [client_id, client_name]
        self.cmap = []           # [source, ref, client_id]
        self.rmm_org = 11        # NinjaOne organization ids are small integers

    # -- identifiers ----------------------------------------------------------------------
    def _unique(self, make):
        while True:
            s = make()
            if s not in self.serials:
                self.serials.add(s)
                return s

    def serial(self, vendor):
        r = self.r
        pick = lambda chars, n: "".join(r.choice(chars) for _ in range(n))
        if vendor == "dell":       # Dell service tag, 7 characters
            return self._unique(lambda: r.choice("123456789BCDFGHJ") + pick(DELL_CH, 6))
        if vendor == "hp":         # HP: factory prefix + 4 digits + 3 characters
            return self._unique(lambda: r.choice(["5CG", "5CD", "CND", "MXL", "8CG"])
                                + pick("0123456789", 4) + pick(ALNUM, 3))
        if vendor == "lenovo":     # Lenovo ThinkPad / ThinkCentre
            return self._unique(lambda: r.choice(["PF", "PF", "PC", "MJ"]) + pick(ALNUM, 6))
        if vendor == "apple":      # older C02 serials and newer randomised 10-character ones
            if r.random() < 0.4:
                return self._unique(lambda: "C02" + pick(ALNUM, 9))
            return self._unique(lambda: r.choice("CFGHJKLMNPQV") + pick(ALNUM, 9))
        if vendor == "hpe":        # HPE ProLiant
            return self._unique(lambda: "CZJ" + pick("0123456789", 4) + pick(ALNUM, 3))
        if vendor == "hyperv":     # Hyper-V guest BIOS serial
            return self._unique(lambda: "-".join(pick("0123456789", 4) for _ in range(6))
                                + "-" + pick("0123456789", 2))
        raise ValueError(vendor)

    def tenant(self):
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def edr_site(self):
        return str(self.r.randrange(10 ** 18, 10 ** 19))      # SentinelOne-style site id

    def backup_customer(self):
        return str(self.r.randrange(1_100_000, 2_999_999))     # Cove/Datto-style customer id

    # -- timestamps (UTC) -----------------------------------------------------------------
    def ts_between(self, lo, hi):
        span = int((hi - lo).total_seconds())
        return (lo + dt.timedelta(seconds=self.r.randrange(span))).strftime("%Y-%m-%dT%H:%M:%SZ")

    def ts_ago(self, min_days, max_days):
        return self.ts_between(AS_OF - dt.timedelta(days=max_days), AS_OF - dt.timedelta(days=min_days))

    # -- people -------------------------------------------------------------------------
    def users(self, n, domain, taken=None):
        taken = set() if taken is None else taken
        out = []
        while len(out) < n:
            local = "%s.%s" % (self.r.choice(FIRST).lower(), self.r.choice(LAST).lower())
            if local in taken:
                continue
            taken.add(local)
            out.append("%s@%s" % (local, domain))
        return out


class Client:
    def __init__(self, demo, cid, name, domain, names):
        self.d, self.cid, self.name, self.domain = demo, cid, name, domain
        self.names = names          # vendor spelling per source
        self.refs = {}
        self.taken = set()
        demo.clients.append([cid, name])
        for src in SOURCES:
            if src not in names:
                continue
            if src == "m365":
                ref = demo.tenant()
            elif src == "rmm":
                demo.rmm_org += demo.r.randint(1, 6)
                ref = str(demo.rmm_org)
            elif src == "edr":
                ref = demo.edr_site()
            else:
                ref = demo.backup_customer()
            self.refs[src] = ref
            demo.cmap.append([src, ref, cid])

    def users(self, n):
        return self.d.users(n, self.domain, self.taken)

    def row(self, src, sku, item, last_seen=None, status="active", ref=None, vendor_name=None):
        if last_seen is None:
            # users sign in most days; devices check in several times a day; backups run nightly
            last_seen = {"m365": lambda: self.d.ts_ago(0.05, 12), "rmm": lambda: self.d.ts_ago(0.01, 4),
                         "edr": lambda: self.d.ts_ago(0.01, 4), "backup": lambda: self.d.ts_ago(0.1, 1.5)}[src]()
        self.d.usage.append([src, ref or self.refs[src], sku, item, status, last_seen,
                             vendor_name or self.names[src]])

    def m365(self, sku, upns, **kw):
        for u in upns:
            self.row("m365", sku, u, **kw)

    def devices(self, src, sku, serials, **kw):
        for s in serials:
            self.row(src, sku, s, **kw)

    def bill(self, pid, qty, price=None):
        self.d.billing.append([self.cid, self.name, pid, qty, price or PROD[pid][3]])


def build(d):
    """Every client, its usage and its agreement lines. Quantities are fixed; see EXPECTED_PAIRS."""
    P = PLANTED

    # 1. Contoso Dental: three-site dental group. ONE finding: 42 active Business Premium users,
    #    38 billed (underbilled by 4). Everything else matches.
    c = Client(d, "CW-1001", "Contoso Dental", "contosodental.com",
               {"m365": "Contoso Dental", "rmm": "Contoso Dental - Main Office",
                "edr": "Contoso Dental", "backup": "CONTOSO DENTAL LLC"})
    staff = c.users(42)
    c.m365("SPB", staff)
    c.m365("EXCHANGESTANDARD", ["frontdesk@contosodental.com", "insurance.claims@contosodental.com",
                                "scheduling@contosodental.com"])
    ws = [d.serial("dell") for _ in range(18)] + [d.serial("hp") for _ in range(4)]
    srv = [d.serial("dell")]
    c.devices("rmm", "WINDOWS_WORKSTATION", ws)
    c.devices("rmm", "WINDOWS_SERVER", srv)
    c.devices("edr", "COMPLETE_WORKSTATION", ws)
    c.devices("edr", "COMPLETE_SERVER", srv)
    c.devices("backup", "SERVER_2TB", srv)               # imaging server: 2 TB tier = 2 units
    c.bill("M365-BP", 38)
    c.bill("EXO-P1", 3)
    c.bill("RMM-WS", 22)
    c.bill("RMM-SRV", 1)
    c.bill("EDR-WS", 22)
    c.bill("EDR-SRV", 1)
    c.bill("BACKUP-SRV-TB", 2)

    # 2. Northwind Logistics: backup billed for 12 devices, 9 protected (overbilled by 3);
    #    2 new dispatchers not billed; server backup on 2 TB + 1 TB tiers (3 units, match).
    c = Client(d, "CW-1002", "Northwind Logistics", "northwindlogistics.com",
               {"m365": "Northwind Logistics Inc.", "rmm": "Northwind Logistics",
                "edr": "Northwind Logistics - Warehouse", "backup": "NORTHWIND LOGISTICS INC"})
    staff = c.users(24)
    c.m365("O365_BUSINESS_PREMIUM", staff)
    c.m365("MCOEV", staff[:8])                           # dispatchers with Teams Phone
    ws = [d.serial("lenovo") for _ in range(16)]
    srv = [d.serial("dell"), d.serial("dell")]
    c.devices("rmm", "WINDOWS_WORKSTATION", ws)
    c.devices("rmm", "WINDOWS_SERVER", srv)
    c.devices("edr", "COMPLETE_WORKSTATION", ws)
    c.devices("edr", "COMPLETE_SERVER", srv)
    c.devices("backup", "ENDPOINT_WS", ws[:9])
    c.row("backup", "SERVER_2TB", srv[0])
    c.row("backup", "SERVER_1TB", srv[1])
    c.bill("M365-BS", 22)
    c.bill("TEAMS-PHONE", 8)
    c.bill("RMM-WS", 16)
    c.bill("RMM-SRV", 2)
    c.bill("EDR-WS", 16)
    c.bill("EDR-SRV", 2)
    c.bill("BACKUP-DEV", 12)
    c.bill("BACKUP-SRV-TB", 3)

    # 3. Fabrikam Manufacturing: a shop-floor PC not seen since August is still billed (stale in
    #    RMM and EDR); the Hyper-V host reports a node class nobody mapped; server backup 4 TB + 1 TB.
    c = Client(d, "CW-1003", "Fabrikam Manufacturing", "fabrikammfg.com",
               {"m365": "Fabrikam Inc", "rmm": "Fabrikam Mfg - Plant 1",
                "edr": "Fabrikam Manufacturing", "backup": "FABRIKAM MFG"})
    c.m365("O365_BUSINESS_PREMIUM", c.users(14))          # office
    c.m365("O365_BUSINESS_ESSENTIALS", c.users(12))       # shop floor
    ws = [d.serial("hp") for _ in range(14)] + [d.serial("dell") for _ in range(4)]
    P["stale_serial"] = ws[15]
    fresh_ws = [s for s in ws if s != P["stale_serial"]]
    vms = [d.serial("hyperv"), d.serial("hyperv")]
    host = d.serial("dell")
    c.devices("rmm", "WINDOWS_WORKSTATION", fresh_ws)
    c.row("rmm", "WINDOWS_WORKSTATION", P["stale_serial"], last_seen="2026-08-14T16:22:05Z")
    c.devices("rmm", "WINDOWS_SERVER", vms)
    c.row("rmm", "HYPERV_VMM_HOST", host)
    c.devices("edr", "COMPLETE_WORKSTATION", fresh_ws)
    c.row("edr", "COMPLETE_WORKSTATION", P["stale_serial"], last_seen="2026-08-14T16:40:51Z")
    c.devices("edr", "COMPLETE_SERVER", vms)
    c.row("backup", "SERVER_4TB", vms[0])                 # file server + ERP database
    c.row("backup", "SERVER_1TB", vms[1])                 # domain controller
    c.bill("M365-BS", 14)
    c.bill("M365-BB", 12)
    c.bill("RMM-WS", 18)
    c.bill("RMM-SRV", 2)
    c.bill("EDR-WS", 18)
    c.bill("EDR-SRV", 2)
    c.bill("BACKUP-SRV-TB", 5)

    # 4. Alder & Finch LLP (law firm): two leavers are disabled but still hold Business Premium
    #    and are still billed; three partners pilot Microsoft 365 Copilot (SKU not mapped).
    c = Client(d, "CW-1004", "Alder & Finch LLP", "alderfinch.com",
               {"m365": "Alder & Finch LLP", "rmm": "Alder and Finch", "edr": "Alder & Finch",
                "backup": "ALDER FINCH LLP"})
    staff = c.users(22)
    leavers = c.users(2)
    P["leavers"] = sorted(leavers)
    c.m365("SPB", staff)
    c.row("m365", "SPB", leavers[0], status="disabled", last_seen="2026-08-28T17:41:09Z")
    c.row("m365", "SPB", leavers[1], status="disabled", last_seen="2026-09-19T12:05:37Z")
    c.m365("Microsoft_365_Copilot", staff[:3])
    c.devices("backup", "SAAS_M365", staff)
    ws = [d.serial("lenovo") for _ in range(16)]
    c.devices("rmm", "WINDOWS_WORKSTATION", ws)
    c.devices("edr", "COMPLETE_WORKSTATION", ws)
    c.bill("M365-BP", 24)
    c.bill("BACKUP-M365", 22)
    c.bill("RMM-WS", 16)
    c.bill("EDR-WS", 16)

    # 5. Whitmore & Co Accountants (Leeds): two new laptops not yet on the agreement; the
    #    practice bought Pembury Tax Services, whose own tenant is not mapped to any client.
    c = Client(d, "CW-1005", "Whitmore & Co Accountants", "whitmore-accountants.co.uk",
               {"m365": "Whitmore & Co", "rmm": "Whitmore & Co - Leeds", "edr": "Whitmore Accountants",
                "backup": "WHITMORE & CO LTD"})
    staff = c.users(14)
    c.m365("O365_BUSINESS_PREMIUM", staff)
    c.devices("backup", "SAAS_M365", staff)
    ws = [d.serial("dell") for _ in range(13)]
    c.devices("rmm", "WINDOWS_WORKSTATION", ws)
    c.devices("edr", "COMPLETE_WORKSTATION", ws)
    P["acq_tenant"] = d.tenant()
    acq = d.users(6, "pemburytax.co.uk")
    c.m365("O365_BUSINESS_PREMIUM", acq, ref=P["acq_tenant"], vendor_name="Pembury Tax Services Ltd")
    c.bill("M365-BS", 14)
    c.bill("RMM-WS", 11)
    c.bill("EDR-WS", 11)
    c.bill("BACKUP-M365", 14)

    # 6. Riverside Community Food Bank (nonprofit): staff on Business Premium, some through the
    #    donation SKU (an alias of M365-BP); nonprofit pricing. Everything matches.
    c = Client(d, "CW-1006", "Riverside Community Food Bank", "riversidefoodbank.org",
               {"m365": "Riverside Community Food Bank", "rmm": "Riverside Food Bank",
                "edr": "Riverside Food Bank"})
    staff = c.users(10)
    c.m365("Microsoft_365_Business_Premium_Donation_(Non_Profit_Pricing)", staff[:6])
    c.m365("SPB", staff[6:])
    c.m365("O365_BUSINESS_ESSENTIALS", c.users(8))        # volunteers
    ws = [d.serial("dell") for _ in range(5)] + [d.serial("hp") for _ in range(3)]
    c.devices("rmm", "WINDOWS_WORKSTATION", ws)
    c.devices("edr", "COMPLETE_WORKSTATION", ws)
    c.bill("M365-BP", 10, "5.50")
    c.bill("M365-BB", 8, "3.00")
    c.bill("RMM-WS", 8, "7.20")
    c.bill("EDR-WS", 8, "6.30")

    # 7. Blue Heron Veterinary Clinic: the practice manager's laptop got its EDR agent from
    #    Maple Street Pediatrics' installer (same serial under two clients); a 5th PC was added
    #    to endpoint backup but not to the agreement.
    c = Client(d, "CW-1007", "Blue Heron Veterinary Clinic", "blueheronvet.com",
               {"m365": "Blue Heron Vet", "rmm": "Blue Heron Veterinary - Clinic",
                "edr": "Blue Heron Veterinary", "backup": "BLUE HERON VETERINARY CLINIC PC"})
    c.m365("O365_BUSINESS_PREMIUM", c.users(15))
    ws = [d.serial("dell") for _ in range(9)] + [d.serial("apple") for _ in range(3)]
    P["cross_serial"] = ws[0]
    srv = [d.serial("hpe")]
    c.devices("rmm", "WINDOWS_WORKSTATION", ws[:9])
    c.devices("rmm", "MAC", ws[9:])
    c.devices("rmm", "WINDOWS_SERVER", srv)
    c.devices("edr", "COMPLETE_WORKSTATION", ws[1:])      # ws[0] reports under Maple Street
    c.devices("edr", "COMPLETE_SERVER", srv)
    c.devices("backup", "ENDPOINT_WS", ws[:5])
    c.devices("backup", "SERVER_1TB", srv)
    c.bill("M365-BS", 15)
    c.bill("RMM-WS", 12)
    c.bill("RMM-SRV", 1)
    c.bill("EDR-WS", 11)
    c.bill("EDR-SRV", 1)
    c.bill("BACKUP-DEV", 4)
    c.bill("BACKUP-SRV-TB", 1)

    # 8. Harbourside Estate Agents (Brighton): one user is listed twice with different letter
    #    case (one seat, not two); 2 Exchange Online mailboxes became shared but are still billed.
    c = Client(d, "CW-1008", "Harbourside Estate Agents", "harbourside-estates.co.uk",
               {"m365": "Harbourside Estates", "rmm": "Harbourside Estate Agents",
                "edr": "Harbourside Estates - Brighton"})
    staff = c.users(12)
    P["dup_upn"] = staff[4]
    c.m365("O365_BUSINESS_PREMIUM", staff)
    local, dom = staff[4].split("@")
    P["dup_upn_variant"] = "%s@%s" % (".".join(w.capitalize() for w in local.split(".")), dom)
    c.row("m365", "O365_BUSINESS_PREMIUM", P["dup_upn_variant"])
    ws = [d.serial("hp") for _ in range(10)]
    c.devices("rmm", "WINDOWS_WORKSTATION", ws)
    c.devices("edr", "COMPLETE_WORKSTATION", ws)
    c.bill("M365-BS", 12)
    c.bill("EXO-P1", 2)
    c.bill("RMM-WS", 10)
    c.bill("EDR-WS", 10)

    # 9. Summit Ridge Engineering: EDR on both servers was never billed; a re-imaged workstation
    #    reports twice in the RMM (the new agent reads a padded BIOS serial: trailing space).
    c = Client(d, "CW-1009", "Summit Ridge Engineering", "summitridgeeng.com",
               {"m365": "Summit Ridge Engineering PLLC", "rmm": "Summit Ridge Eng",
                "edr": "Summit Ridge Engineering", "backup": "SUMMIT RIDGE ENGINEERING"})
    c.m365("ENTERPRISEPACK", c.users(20))
    ws = [d.serial("dell") for _ in range(14)]
    P["dup_serial"] = ws[6]
    srv = [d.serial("dell"), d.serial("dell")]
    c.devices("rmm", "WINDOWS_WORKSTATION", ws[:6] + ws[7:])
    c.row("rmm", "WINDOWS_WORKSTATION", ws[6], last_seen="2026-10-08T18:12:40Z")   # old agent
    c.row("rmm", "WINDOWS_WORKSTATION", ws[6] + " ")                               # new agent
    c.row("rmm", "WINDOWS_SERVER", srv[0])
    c.row("rmm", "LINUX_SERVER", srv[1])                  # Ubuntu box running the licence server
    c.devices("edr", "COMPLETE_WORKSTATION", ws)
    c.devices("edr", "COMPLETE_SERVER", srv)
    c.row("backup", "SERVER_4TB", srv[0])
    c.row("backup", "SERVER_1TB", srv[1])
    c.bill("O365-E3", 20)
    c.bill("RMM-WS", 14)
    c.bill("RMM-SRV", 2)
    c.bill("EDR-WS", 14)
    c.bill("BACKUP-SRV-TB", 5)

    # 10. Keystone Insurance Agency: Microsoft 365 backup sold, never deployed. One laptop was
    #     last seen on 1 October: 30 days before the as-of date, so still counted (not stale).
    c = Client(d, "CW-1010", "Keystone Insurance Agency", "keystoneins.com",
               {"m365": "Keystone Insurance", "rmm": "Keystone Insurance Agency", "edr": "Keystone Insurance"})
    c.m365("O365_BUSINESS_PREMIUM", c.users(11))
    ws = [d.serial("dell") for _ in range(11)]
    c.devices("rmm", "WINDOWS_WORKSTATION", ws[:10])
    c.row("rmm", "WINDOWS_WORKSTATION", ws[10], last_seen="2026-10-01T09:12:44Z")
    c.devices("edr", "COMPLETE_WORKSTATION", ws[:10])
    c.row("edr", "COMPLETE_WORKSTATION", ws[10], last_seen="2026-10-01T09:13:02Z")
    c.bill("M365-BS", 11)
    c.bill("BACKUP-M365", 11)
    c.bill("RMM-WS", 11)
    c.bill("EDR-WS", 11)

    # 11. Maple Street Pediatrics: billed 19 Business Premium seats for 18 users (negotiated price
    #     21.00); its EDR site also holds Blue Heron's laptop (billing synced from the EDR: match).
    c = Client(d, "CW-1011", "Maple Street Pediatrics", "maplestreetpeds.com",
               {"m365": "Maple Street Pediatrics", "rmm": "Maple Street Peds",
                "edr": "Maple Street Pediatrics", "backup": "MAPLE STREET PEDIATRICS PA"})
    staff = c.users(18)
    c.m365("SPB", staff)
    c.m365("MCOEV", staff[:4])                            # front desk phones
    ws = [d.serial("hp") for _ in range(16)]
    srv = [d.serial("hpe")]
    c.devices("rmm", "WINDOWS_WORKSTATION", ws)
    c.devices("rmm", "WINDOWS_SERVER", srv)
    c.devices("edr", "COMPLETE_WORKSTATION", ws)
    c.row("edr", "COMPLETE_WORKSTATION", P["cross_serial"])
    c.devices("edr", "COMPLETE_SERVER", srv)
    c.devices("backup", "SERVER_2TB", srv)
    c.bill("M365-BP", 19, "21.00")
    c.bill("TEAMS-PHONE", 4)
    c.bill("RMM-WS", 16)
    c.bill("RMM-SRV", 1)
    c.bill("EDR-WS", 17)
    c.bill("EDR-SRV", 1)
    c.bill("BACKUP-SRV-TB", 2)

    # 12. Larkspur Architects (Bristol): Business Standard sits on two agreement lines (10 + 4,
    #     a mid-year addition); Microsoft 365 backup runs for every user with no agreement line.
    c = Client(d, "CW-1012", "Larkspur Architects", "larkspur-architects.co.uk",
               {"m365": "Larkspur Architects", "rmm": "Larkspur Architects - Studio",
                "edr": "Larkspur Architects", "backup": "LARKSPUR ARCHITECTS LTD"})
    staff = c.users(14)
    c.m365("O365_BUSINESS_PREMIUM", staff)
    c.devices("backup", "SAAS_M365", staff)
    macs = [d.serial("apple") for _ in range(8)]
    pcs = [d.serial("dell") for _ in range(5)]            # CAD workstations
    c.devices("rmm", "MAC", macs)
    c.devices("rmm", "WINDOWS_WORKSTATION", pcs)
    c.devices("edr", "COMPLETE_WORKSTATION", macs + pcs)
    c.bill("M365-BS", 10)
    c.bill("M365-BS", 4)
    c.bill("RMM-WS", 13)
    c.bill("EDR-WS", 13)


# ---------------------------------------------------------------------------------------------
def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            cells = [str(x) for x in row]
            for x in cells:
                if any(ch in x for ch in ',"\r\n'):
                    sys.exit("BUG: value needs CSV quoting: %r" % x)
            f.write(",".join(cells) + "\n")


def write_all(d, out):
    # usage: grouped by feed, then by client, then by SKU and item, like a per-vendor export
    order = {s: i for i, s in enumerate(SOURCES)}
    ref_order = {}
    for src, ref, _ in d.cmap:
        ref_order.setdefault((src, ref), len(ref_order))
    usage = sorted(d.usage, key=lambda u: (order[u[0]], ref_order.get((u[0], u[1]), 10 ** 6), u[2],
                                           u[3].strip().lower(), u[5]))
    write_csv(os.path.join(out, "usage.csv"),
              ["source", "client_ref", "sku", "item_id", "status", "last_seen", "client_name"], usage)
    line = 48210
    rows = []
    for b in d.billing:
        line += d.r.randint(1, 37)
        # The line sits on the client's managed services agreement (what a
        # ConnectWise export names, and what proposed adjustments address).
        agreement_id = 1200 + int(b[0].split("-")[1]) - 1000
        rows.append([line] + b + [agreement_id, "%s - Managed Services" % b[1], "connectwise"])
    write_csv(os.path.join(out, "billing.csv"),
              ["line_id", "client_id", "client_name", "product_id", "quantity", "unit_price",
               "agreement_id", "agreement", "profile"], rows)
    write_csv(os.path.join(out, "client_map.csv"), ["source", "external_client_id", "client_id"],
              sorted(d.cmap, key=lambda m: (order[m[0]], m[2])))
    write_csv(os.path.join(out, "product_map.csv"), ["source", "sku", "product_id", "units"],
              [[p[4], sku, p[0], units] for p in PRODUCTS for sku, units in p[5]])
    write_csv(os.path.join(out, "products.csv"), ["product_id", "product_name", "item_type", "list_price"],
              [[p[0], p[1], p[2], p[3]] for p in PRODUCTS])
    write_csv(os.path.join(out, "clients.csv"), ["client_id", "client_name"], d.clients)


# ---------------------------------------------------------------------------------------------
# An independent, deliberately simple implementation of the rules (shared/bench/README.md).
def cents(s):
    neg = s.startswith("-")
    whole, _, frac = s.lstrip("-").partition(".")
    v = int(whole) * 100 + int((frac + "00")[:2])
    return -v if neg else v


def money(c):
    return "%s%d.%02d" % ("-" if c < 0 else "", abs(c) // 100, abs(c) % 100)


def read(out, name):
    with open(os.path.join(out, name + ".csv"), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def reconcile(out):
    cmap = {(m["source"], m["external_client_id"]): m["client_id"] for m in read(out, "client_map")}
    pmap = {(m["source"], m["sku"]): (m["product_id"], int(m["units"])) for m in read(out, "product_map")}
    list_price = {p["product_id"]: cents(p["list_price"]) for p in read(out, "products")}
    cutoff = CUTOFF.strftime("%Y-%m-%dT%H:%M:%SZ")          # same fixed format => string order works
    counted = {}      # (client, product) -> {key: [max_units, rows]}
    other = {}        # (kind, client, product, source, key) -> rows
    for u in read(out, "usage"):
        key = u["item_id"].strip().lower()
        cid = cmap.get((u["source"], u["client_ref"]))
        prod = pmap.get((u["source"], u["sku"]))
        if cid is None:
            k = ("unmapped_client", "", "", u["source"], u["client_ref"])
        elif prod is None:
            k = ("unmapped_sku", cid, "", u["source"], u["sku"])
        elif u["status"] != "active":
            k = ("disabled_licensed", cid, prod[0], "", key)
        elif u["last_seen"] < cutoff:
            k = ("stale_item", cid, prod[0], "", key)
        else:
            it = counted.setdefault((cid, prod[0]), {}).setdefault(key, [0, 0])
            it[0] = max(it[0], prod[1])
            it[1] += 1
            continue
        other[k] = other.get(k, 0) + 1
    actual = {pair: sum(v[0] for v in items.values()) for pair, items in counted.items()}
    billed, price = {}, {}
    for b in read(out, "billing"):
        pair = (b["client_id"], b["product_id"])
        billed[pair] = billed.get(pair, 0) + int(b["quantity"])
        price[pair] = max(price.get(pair, -1), cents(b["unit_price"]))
    recon = []
    for pair in sorted(set(billed) | set(actual)):
        bq, aq = billed.get(pair, 0), actual.get(pair, 0)
        up = price.get(pair, list_price[pair[1]])
        diff = aq - bq
        status = ("match" if diff == 0 else "usage_not_billed" if bq == 0 else "billed_no_usage"
                  if aq == 0 else "underbilled" if diff > 0 else "overbilled")
        recon.append((pair[0], pair[1], bq, aq, diff, money(up), money(diff * up), status))
    items = dict(other)
    clients_of = {}
    for (cid, pid), its in counted.items():
        for key, (_, n) in its.items():
            if n > 1:
                items[("duplicate_item", cid, pid, "", key)] = n
            clients_of.setdefault(key, set()).add(cid)
    for (cid, pid), its in counted.items():
        for key in its:
            if len(clients_of[key]) > 1:
                items[("cross_client_item", cid, pid, "", key)] = len(clients_of[key])
    return recon, items


def check(out):
    recon, items = reconcile(out)
    errors = []
    got_pairs = {(r[0], r[1]): r for r in recon if r[7] != "match"}
    for pair in sorted(set(got_pairs) | set(EXPECTED_PAIRS)):
        e = EXPECTED_PAIRS.get(pair)
        g = got_pairs.get(pair)
        want = None if e is None else (pair[0], pair[1], e[1], e[2], e[2] - e[1], e[3], e[4], e[0])
        if want != g:
            errors.append("pair %s: planted %s, computed %s" % (pair, want, g))
    exp_items = expected_items()
    for k in sorted(set(items) | set(exp_items)):
        if items.get(k) != exp_items.get(k):
            errors.append("item %s: planted %s, computed %s" % (k, exp_items.get(k), items.get(k)))
    return recon, items, errors


# ---------------------------------------------------------------------------------------------
README_HEAD = """\
# reckon demo data

The data set behind `reckon demo`: a fictional small MSP with 12 clients (dental, logistics,
manufacturing, law, accountants, a food bank, a vet, estate agents, engineers, insurance,
pediatrics, architects), billed from a ConnectWise-style PSA and measured by four usage feeds.
It is generated by `make_demo.py` (Python 3, standard library, fixed seed; run it to regenerate
the files byte for byte and to re-check the numbers below). All names, domains, serial numbers and
tenant ids are invented.

| file | what it is |
| --- | --- |
| `billing.csv` | PSA agreement additions (`line_id,client_id,client_name,product_id,quantity,unit_price`, and the agreement each sits on: `agreement_id,agreement,profile`) |
| `usage.csv` | usage feeds (`source,client_ref,sku,item_id,status,last_seen,client_name`); `client_name` is the vendor's own spelling of the client |
| `client_map.csv` | `(source, client_ref)` to PSA client |
| `product_map.csv` | `(source, sku)` to PSA product and units (`SERVER_2TB` = 2 units of `BACKUP-SRV-TB`) |
| `products.csv` | PSA catalogue; its list price values usage with no billing line |
| `clients.csv` | PSA client list |

Feeds: `m365` (Microsoft 365 licences: tenant GUID, UPN, Microsoft part number), `rmm`
(NinjaOne-style: organization id, device serial, node class), `edr` (SentinelOne-style: site id,
serial), `backup` (Cove/Datto-style: customer id; serial for endpoint and server backup, UPN for
Microsoft 365 backup).

Rules: exactly those of `shared/bench/README.md` ("Reconciliation rules"), with as-of
**2026-10-31T00:00:00Z** and a 30-day stale window (a row last seen before 2026-10-01T00:00:00Z is
stale).

"""


def readme(d, recon, items):
    names = dict((c[0], c[1]) for c in d.clients)
    n_match = sum(1 for r in recon if r[7] == "match")
    out = [README_HEAD]
    out.append("Size: %d clients, %d usage rows, %d billing lines, %d (client, product) pairs, of which "
               "%d (%d%%) match and %d do not.\n\n" % (len(d.clients), len(d.usage), len(d.billing),
                                                        len(recon), n_match, round(100 * n_match / len(recon)),
                                                        len(recon) - n_match))
    out.append("## Planted discrepancies: pairs (`recon.csv`)\n\n"
               "Impact = diff x unit price; positive is revenue not billed, negative is over-billing. "
               "Every pair not listed here must be `match`.\n\n"
               "| client | product | status | billed | actual | diff | unit price | impact | why |\n"
               "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n")
    total = 0
    for (cid, pid), e in sorted(EXPECTED_PAIRS.items()):
        total += cents(e[4])
        out.append("| %s %s | %s | `%s` | %d | %d | %+d | %s | %s | %s |\n"
                   % (cid, names[cid], pid, e[0], e[1], e[2], e[2] - e[1], e[3], e[4], e[5]))
    under = sum(cents(e[4]) for e in EXPECTED_PAIRS.values() if cents(e[4]) > 0)
    over = sum(cents(e[4]) for e in EXPECTED_PAIRS.values() if cents(e[4]) < 0)
    out.append("\nTotals: revenue not billed %s, over-billing %s, net %s per month.\n\n"
               % (money(under), money(over), money(total)))
    out.append("## Planted discrepancies: items (`exceptions.csv`)\n\n"
               "Rows in the engine's sort order (kind, client, product, source with empty first, key).\n\n"
               "| kind | client_id | product_id | source | key | count | what it is |\n"
               "| --- | --- | --- | --- | --- | ---: | --- |\n")
    why = {
        "cross_client_item": "Blue Heron's laptop: EDR agent installed with Maple Street's site token",
        "disabled_licensed": "leaver: account disabled, Business Premium still assigned",
        "duplicate_item": None,
        "stale_item": "shop-floor PC last seen 2026-08-14, still billed",
        "unmapped_client": "tenant of Pembury Tax Services, acquired by Whitmore & Co; not in client_map",
        "unmapped_sku": None,
    }
    for k in sorted(items, key=lambda k: (k[0], k[1], k[2], k[3], k[4])):
        w = why[k[0]]
        if k[0] == "duplicate_item":
            w = ("same UPN listed twice, second time in different letter case" if k[1] == "CW-1008"
                 else "re-imaged PC: old and new agent, new one with a trailing space in the serial")
        if k[0] == "unmapped_sku":
            w = ("Hyper-V host: node class not mapped to a product" if k[4] == "HYPERV_VMM_HOST"
                 else "Copilot pilot for 3 partners: no PSA product mapped")
        out.append("| `%s` | %s | %s | %s | `%s` | %d | %s |\n" % (k[0], k[1], k[2], k[3], k[4], items[k], w))
    P = PLANTED
    out.append("""
Counts: `duplicate_item`, `disabled_licensed`, `stale_item` count rows; `cross_client_item` counts
distinct clients; `unmapped_client` and `unmapped_sku` count rows of every status.

## Things that must NOT be findings

- Contoso Dental has exactly one finding (Business Premium); its other six pairs match.
- Server backup tiers: Contoso 1 x `SERVER_2TB` = 2, Northwind `SERVER_2TB` + `SERVER_1TB` = 3,
  Fabrikam and Summit Ridge `SERVER_4TB` + `SERVER_1TB` = 5, Blue Heron 1, Maple Street 2: all match.
- Larkspur Architects' Business Standard is billed on two lines (10 + 4 = 14): match.
- Riverside's donation SKU `Microsoft_365_Business_Premium_Donation_(Non_Profit_Pricing)` and `SPB`
  both map to `M365-BP` (6 + 4 = 10): match. Macs (`MAC`) and the Linux server (`LINUX_SERVER`) count
  under `RMM-WS` / `RMM-SRV`.
- Keystone's laptop last seen 2026-10-01T09:12:44Z is inside the 30-day window: counted, not stale.
- Summit Ridge's old agent record (last seen 2026-10-08) is not stale either; it is a duplicate.
- The two disabled Alder & Finch users were last seen in August and September: `disabled_licensed`
  wins over `stale_item` because the status rule comes first.
- The duplicate rows (Harbourside, Summit Ridge) and the cross-client laptop do not change any
  quantity: those pairs match (Blue Heron's `BACKUP-DEV` is off by one for another reason).
- The Pembury tenant's six users are only an `unmapped_client` row; they change no pair.
- Prices come from the agreement line, not the catalogue, when there is one: Maple Street pays a
  negotiated 21.00 for Business Premium, Riverside has nonprofit prices. Only the two
  `usage_not_billed` pairs are valued at list price.

Item keys above are normalised (`lower(trim(item_id))`); in `usage.csv` the same items appear as
`%s` (Blue Heron RMM and backup, Maple Street EDR), `%s` and `%s ` (Summit Ridge RMM, the second
with a trailing space), `%s` and `%s` (Harbourside), and `%s` (Fabrikam).

## Checking an engine against this table

`make_demo.py` re-reads the files it wrote, applies the rules itself and aborts unless the result
equals the tables above. To check the reference engine (it reads exactly six `usage.csv` columns,
so drop `client_name` first):

```sh
mkdir -p /tmp/demo6 && cp billing.csv client_map.csv product_map.csv products.csv /tmp/demo6/
cut -d, -f1-6 usage.csv > /tmp/demo6/usage.csv      # no field in the demo is quoted
python3 ../../../../shared/bench/recon_duckdb.py --data /tmp/demo6 --out /tmp/demo_out \\
    --as-of 2026-10-31T00:00:00 --stale-days 30
```

`/tmp/demo_out/recon.csv` then has 66 rows (52 `match`) and `exceptions.csv` the 12 rows above.
""" % (P["cross_serial"], P["dup_serial"], P["dup_serial"], P["dup_upn_variant"], P["dup_upn"],
       P["stale_serial"]))
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    a = ap.parse_args()
    d = Demo()
    build(d)
    write_all(d, a.out)
    recon, items, errors = check(a.out)
    n_match = sum(1 for r in recon if r[7] == "match")
    print("usage rows %d, billing lines %d, pairs %d, match %d (%.0f%%)"
          % (len(d.usage), len(d.billing), len(recon), n_match, 100.0 * n_match / len(recon)))
    print("\nnon-match pairs (client, product, billed, actual, diff, unit_price, impact, status):")
    for r in recon:
        if r[7] != "match":
            print("  " + ",".join(str(x) for x in r))
    print("\nitem findings (kind, client, product, source, key -> count):")
    for k in sorted(items):
        print("  %s -> %d" % (",".join(k), items[k]))
    if errors:
        print("\nMISMATCH between planted and computed findings:", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        sys.exit(1)
    with open(os.path.join(a.out, "README.md"), "w", encoding="utf-8", newline="") as f:
        f.write(readme(d, recon, items))
    print("\nOK: computed findings equal the planted ones; README.md written.")


if __name__ == "__main__":
    main()
