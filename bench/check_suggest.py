#!/usr/bin/env python3
"""Scores `reckon map suggest --json` on a data set made by add_names.py:
how often the best suggestion is the client the removed map had, for the
references that carry a name, and whether any wrong client was proposed at
or above the auto-map threshold (which must never happen).

    python3 bench/check_suggest.py --data NAMED_DIR [--reckon target/release/reckon]
"""
import argparse
import csv
import json
import os
import subprocess
from collections import defaultdict


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--reckon", default="target/release/reckon")
    parser.add_argument("--threshold", type=int, default=90)
    args = parser.parse_args()
    answer = {}
    with open(os.path.join(args.data, "answer_client_map.csv")) as f:
        for row in csv.DictReader(f):
            answer[(row["source"], row["external_client_id"])] = row["client_id"]
    result = subprocess.run([args.reckon, "map", "suggest", "--data", args.data, "--json", "--limit", "3"],
                            check=True, capture_output=True, text=True)
    suggestions = defaultdict(list)
    names = {}
    for entry in json.loads(result.stdout):
        key = (entry["source"], entry["external_client_id"])
        names[key] = entry["external_name"]
        if entry["client_id"] is not None:
            suggestions[key].append(entry)
    named = [k for k in names if names[k] and k in answer]
    right_first = sum(1 for k in named if suggestions[k] and suggestions[k][0]["client_id"] == answer[k])
    right_listed = sum(1 for k in named if any(s["client_id"] == answer[k] for s in suggestions[k]))
    auto_right = sum(1 for k in named if suggestions[k] and suggestions[k][0]["client_id"] == answer[k]
                     and suggestions[k][0]["score"] >= args.threshold)
    wrong_high = [(k, s) for k in names for s in suggestions[k]
                  if k in answer and s["client_id"] != answer[k] and s["score"] >= args.threshold]
    unanswerable = sum(1 for k in names if k not in answer)
    print(f"references with a name and a known answer: {len(named)}")
    print(f"best suggestion right: {right_first} ({100 * right_first / max(1, len(named)):.1f}%)")
    print(f"right client among the top 3: {right_listed} ({100 * right_listed / max(1, len(named)):.1f}%)")
    print(f"right and at or above {args.threshold} (auto-mappable): {auto_right} "
          f"({100 * auto_right / max(1, len(named)):.1f}%)")
    print(f"wrong clients proposed at or above {args.threshold}: {len(wrong_high)}")
    for key, s in wrong_high[:10]:
        print(f"  {key} {names[key]!r} -> {s['client_id']} {s['client_name']!r} {s['score']} ({s['reason']}); "
              f"right: {answer[key]}")
    print(f"unmapped references with no answer (deliberately unmapped by gen.py): {unanswerable}")
    if wrong_high:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
