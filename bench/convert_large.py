#!/usr/bin/env python3
"""Writes a large vendor export (a device list CSV, as an RMM or backup
portal exports it) and the custom profile that reads it, to measure that
`reckon convert` streams: time and peak memory stay flat as the file grows.

    python3 bench/convert_large.py --rows 10000000 --out /tmp/large
    /usr/bin/time -v target/release/reckon convert /tmp/large/devices.csv \
        --profiles-dir /tmp/large --as-of 2026-11-30 --out /tmp/large/out
"""
import argparse
import os
import random

PROFILE = """name = "large_devices"
side = "usage"
source = "acme_rmm"
[columns]
client_ref = "Customer ID"
client_name = "Customer"
sku = "Device Class"
item_id = "Serial Number"
hostname = "Device Name"
status = "Status"
last_seen = "Last Check-in"
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "large_devices.toml"), "w") as f:
        f.write(PROFILE)
    rng = random.Random(1)
    classes = ["Workstations - Windows", "Servers - Windows", "Laptops - Windows", "Workstations - Mac"]
    statuses = ["Active"] * 18 + ["Disabled", "Decommissioned"]
    with open(os.path.join(args.out, "devices.csv"), "w", newline="") as f:
        f.write("Device inventory export\n\n")
        f.write("Customer ID,Customer,Device Name,Device Class,Serial Number,Status,Last Check-in,Notes\n")
        for n in range(args.rows):
            customer = n // 60
            f.write(
                f"CUST-{customer:06d},\"Customer {customer}, Inc.\",HOST-{n:08d},{rng.choice(classes)},"
                f"SN{n:010d},{rng.choice(statuses)},11/{rng.randint(1, 29)}/2026 {rng.randint(1, 12)}:{rng.randint(10, 59)}:00 PM,"
                f"\"Imported from RMM\"\n"
            )


if __name__ == "__main__":
    main()
