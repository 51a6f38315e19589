#!/usr/bin/env python3
"""Writes the messy-input corpus: one folder per shape real exports take.

Every case reads the same small device list (or billing report) through a
custom profile, so the only thing that changes is the shape of the file.
Run from this folder: python3 make_messy.py (needs openpyxl for the XLSX).
"""
import json
import os

USAGE_PROFILE = """name = "devices"
side = "usage"
source = "acme_rmm"
[columns]
client_ref = "Customer"
sku = "Plan"
item_id = "Device"
status = "State"
last_seen = "Last Seen"
"""

BILLING_PROFILE = """name = "report"
side = "billing"
[columns]
client_id = "Company"
product_id = "Service"
quantity = "Qty"
unit_price = "Unit Price"
"""

ROWS = [
    ("Contoso Dental", "WKS", "CD-LT-001", "Active", "2026-11-28T09:15:00Z"),
    ("Zürich Café AG", "SRV", "ZC-SRV-01", "Active", "2026-11-29T22:00:00Z"),
    ("Contoso Dental", "WKS", "CD-LT-002", "Disabled", "2026-10-02T08:00:00Z"),
]


def case(name, files, profile=USAGE_PROFILE, convert=None):
    os.makedirs(name, exist_ok=True)
    for file_name, content in files.items():
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(os.path.join(name, file_name), mode, **({} if mode == "wb" else {"newline": ""})) as f:
            f.write(content)
    if profile:
        with open(os.path.join(name, "custom.profile.toml"), "w") as f:
            f.write(profile)
    if convert:
        with open(os.path.join(name, "convert.toml"), "w") as f:
            f.write(convert)


def csv_text(rows, sep=",", header=("Customer", "Plan", "Device", "State", "Last Seen"), eol="\n"):
    lines = [sep.join(header)] + [sep.join(row) for row in rows]
    return eol.join(lines) + eol


plain = csv_text(ROWS)
case("utf8_bom", {"devices.csv": b"\xef\xbb\xbf" + plain.encode("utf-8")})
case("utf16_unicode_text", {"devices.txt": b"\xff\xfe" + csv_text(ROWS, sep="\t", eol="\r\n").encode("utf-16-le")})
case("windows_1252", {"devices.csv": csv_text(ROWS, eol="\r\n").encode("cp1252")})
case("semicolons_european", {"devices.csv": csv_text(
    [(c, p, d, s, "28.11.2026 09:15") for c, p, d, s, _ in ROWS], sep=";").encode("utf-8")})
case("tabs", {"devices.tsv": csv_text(ROWS, sep="\t").encode("utf-8")})
case("quoted_newlines", {"devices.csv": (
    'Customer,Plan,Device,State,Last Seen\n'
    '"Contoso Dental\nMain office",WKS,CD-LT-001,Active,2026-11-28T09:15:00Z\n'
    'Fabrikam,"WKS",CD-LT-009,"Active",2026-11-28T09:15:00Z\n').encode("utf-8")})
case("title_and_blank_rows", {"devices.csv": (
    "Device inventory report\nGenerated 30 Nov 2026 by admin\n\n" + plain).encode("utf-8")})
case("trailing_totals", {"devices.csv": (plain + "\nTotal,,3,,\nGrand total:,,3,,\n").encode("utf-8")})
case("date_shapes", {"devices.csv": csv_text([
    ("Contoso Dental", "WKS", "A1", "Active", "11/28/2026 9:15:00 PM"),
    ("Contoso Dental", "WKS", "A2", "Active", "2026-11-28"),
    ("Contoso Dental", "WKS", "A3", "Active", "46354.25"),
    ("Contoso Dental", "WKS", "A4", "Active", "1795856100"),
    ("Contoso Dental", "WKS", "A5", "Active", "1795856100000"),
    ("Contoso Dental", "WKS", "A6", "Active", "28.11.2026 21:15"),
    ("Contoso Dental", "WKS", "A7", "Active", "2026-11-28 21:15:00"),
]).encode("utf-8")})
case("money_shapes", {"report.csv": (
    'Company,Service,Qty,Unit Price\n'
    'Contoso Dental,M365-BP,"1,200","$1,234.50"\n'
    'Contoso Dental,MS-WKS,38,USD 45.00\n'
    'Fabrikam,CREDIT,1,(12.00)\n'
    'Fabrikam,MS-SRV,2,€ 150\n').encode("utf-8")}, profile=BILLING_PROFILE)
case("money_european", {"report.csv": (
    'Company;Service;Qty;Unit Price\n'
    'Contoso Dental;M365-BP;1.200;1.234,50 €\n'
    'Fabrikam;MS-SRV;2;150,00\n').encode("utf-8")}, profile=BILLING_PROFILE)
case("bad_values_skipped", {"devices.csv": csv_text([
    ROWS[0],
    ("Contoso Dental", "WKS", "CD-LT-003", "Active", "last tuesday"),
    ("", "WKS", "CD-LT-004", "Active", "2026-11-28T09:15:00Z"),
    ROWS[1],
]).encode("utf-8")})
case("bad_values_strict", {"devices.csv": csv_text([
    ROWS[0],
    ("Contoso Dental", "WKS", "CD-LT-003", "Active", "last tuesday"),
]).encode("utf-8")}, convert='strict = true\n')
case("header_row_given", {"devices.csv": (
    "Customer,Plan\nexported,by admin\n" + plain).encode("utf-8")}, convert="header_row = 3\n")
case("bad_json", {"agents.json": b'{"data": [{"id": 1,}]}'}, profile=None)
case("unknown_headers", {"export.csv": b"Foo,Bar,Baz\n1,2,3\n"}, profile=None)
case("empty_file", {"devices.csv": b""}, profile=None)
case("missing_reference", {"agreement_additions.json": json.dumps([{
    "id": 1, "agreementId": 7, "product": {"identifier": "MS-WKS"}, "quantity": 3,
    "billCustomer": "Billable"}]).encode("utf-8")}, profile=None)

try:
    import openpyxl
    from datetime import datetime

    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "About"
    notes.append(["This workbook was exported from Acme RMM"])
    sheet = book.create_sheet("Devices")
    sheet.append(["Device list, November 2026"])
    sheet.append([])
    sheet.append(["Customer", "Plan", "Device", "State", "Last Seen"])
    sheet.append(["Contoso Dental", "WKS", "CD-LT-001", "Active", datetime(2026, 11, 28, 9, 15)])
    sheet.append(["Zürich Café AG", "SRV", 1234567, "Active", datetime(2026, 11, 29, 22, 0)])
    sheet.append(["Contoso Dental", "WKS", "CD-LT-002", "Disabled", datetime(2026, 10, 2, 8, 0)])
    os.makedirs("xlsx_sheets", exist_ok=True)
    book.save("xlsx_sheets/devices.xlsx")
    with open("xlsx_sheets/custom.profile.toml", "w") as f:
        f.write(USAGE_PROFILE)
    os.makedirs("xlsx_sheet_by_name", exist_ok=True)
    book.save("xlsx_sheet_by_name/devices.xlsx")
    with open("xlsx_sheet_by_name/custom.profile.toml", "w") as f:
        f.write(USAGE_PROFILE)
    with open("xlsx_sheet_by_name/convert.toml", "w") as f:
        f.write('sheet = "devices"\n')
    os.makedirs("xlsx_missing_sheet", exist_ok=True)
    book.save("xlsx_missing_sheet/devices.xlsx")
    with open("xlsx_missing_sheet/custom.profile.toml", "w") as f:
        f.write(USAGE_PROFILE)
    with open("xlsx_missing_sheet/convert.toml", "w") as f:
        f.write('sheet = "Users"\n')
except ImportError:
    print("openpyxl missing: xlsx_sheets not written")
