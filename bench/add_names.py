#!/usr/bin/env python3
"""Turns a gen.py data set into a mapping exercise: the feeds name their
clients the way real tools do (exact, upper case, without the legal suffix,
with a site tail, a typo, a tenant domain, or no name at all) and the client
map is removed. `check_suggest.py` then measures `reckon map suggest`
against the map that was removed.

    python3 bench/add_names.py --data DIR --out NAMED_DIR
"""
import argparse
import csv
import hashlib
import os
import shutil

SUFFIXES = ["LLC", "Inc", "Group", "PC", "LLP", "Co", "Associates", "Corp"]


def pick(key, n):
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % n


def core(name):
    words = name.split()
    return " ".join(w for w in words if w not in SUFFIXES)


def typo(text, key):
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 6:
        return text
    i = letters[2 + pick(key + "t", len(letters) - 4)]
    return text[:i] + text[i + 1:]


def drifted(source, ref, name):
    key = f"{source}|{ref}"
    style = pick(key, 10)
    if style == 0:
        return ""  # the feed gives no name
    slug = core(name).lower().replace(" ", "")
    if source == "m365":
        return [name, name, name, f"{slug}.onmicrosoft.com", core(name), name.upper(),
                name, f"{slug}.onmicrosoft.com", name, core(name)][style]
    if source in ("rmm", "dns"):
        return [name, f"{core(name)} - Main Office", name.upper(), f"{name} (HQ)", core(name),
                typo(name, key), name, f"{core(name)} - Site 2", name.lower(), name][style]
    if source == "edr":
        return [name, typo(name, key), name.lower(), core(name), name, name.upper(),
                f"{name}.", name, typo(core(name), key), name][style]
    return [name, name.upper(), f"{core(name).upper()} {name.split()[-1].upper()}.", f"The {name}",
            core(name), name.replace(" ", "-").lower(), typo(name, key), name, core(name).upper(),
            name][style]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    names = {}
    with open(os.path.join(args.data, "billing.csv")) as f:
        for row in csv.DictReader(f):
            names.setdefault(row["client_id"], row["client_name"])
    mapped = {}
    with open(os.path.join(args.data, "client_map.csv")) as f:
        for row in csv.DictReader(f):
            mapped[(row["source"], row["external_client_id"])] = row["client_id"]
    shutil.copy(os.path.join(args.data, "client_map.csv"), os.path.join(args.out, "answer_client_map.csv"))
    for file in ("billing.csv", "product_map.csv", "products.csv"):
        shutil.copy(os.path.join(args.data, file), os.path.join(args.out, file))
    with open(os.path.join(args.out, "clients.csv"), "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["client_id", "client_name"])
        for client_id in sorted(names):
            out.writerow([client_id, names[client_id]])
    given = {}
    with open(os.path.join(args.data, "usage.csv")) as src, \
            open(os.path.join(args.out, "usage.csv"), "w", newline="") as dst:
        reader = csv.reader(src)
        writer = csv.writer(dst)
        header = next(reader)
        writer.writerow(header + ["client_name"])
        source_at, ref_at = header.index("source"), header.index("client_ref")
        for row in reader:
            key = (row[source_at], row[ref_at])
            if key not in given:
                client = mapped.get(key)
                given[key] = drifted(key[0], key[1], names[client]) if client in names else ""
            writer.writerow(row + [given[key]])
    print(f"{len(given)} client references, {sum(1 for v in given.values() if v)} with a name; "
          f"client map removed (kept as answer_client_map.csv)")


if __name__ == "__main__":
    main()
