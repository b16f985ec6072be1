#!/usr/bin/python3
"""Summarise compare.sh's runs as markdown tables (standard library only).

    summarise.py [FOLDER]        (default /tmp/lwf-compare)

Reads FOLDER/{go,py}_<RULE>_s<SEED>.jsonl (one JSON object per epoch with test_accuracy
and test_loss) and prints, for every rule and epoch, Go mean ± std and PyTorch mean ± std
over the seeds (sample std, n-1), their difference and Welch's two-sided t-test.

Criterion: a row is "same" (within statistical noise) when Welch's p-value is >= 0.05,
else "DIFFERENT". With 21 rows per table about one false "DIFFERENT" is expected by
chance at that level, so the tables also give |diff| / SE (SE = sqrt(s1²/n1 + s2²/n2)).
"""
import glob
import json
import math
import os
import re
import statistics
import sys

RULES = ["BP", "FA", "DFA", "sDFA", "DRTP", "shallow", "DRTP-zero"]
IMPLS = {"go": "Go", "py": "PyTorch"}
ALPHA = 0.05


def betacf(a, b, x):
    """Continued fraction of the regularised incomplete beta function (modified Lentz)."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((a + m2 - 1) * (a + m2)),
                    -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


def betainc(a, b, x):
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(lbeta) * betacf(a, b, x) / a
    return 1 - math.exp(lbeta) * betacf(b, a, 1 - x) / b


def welch(a, b):
    """Welch's t-test: (t, df, two-sided p, SE of the difference)."""
    n1, n2 = len(a), len(b)
    v1, v2 = statistics.variance(a) / n1, statistics.variance(b) / n2
    se = math.sqrt(v1 + v2)
    diff = statistics.mean(a) - statistics.mean(b)
    if se == 0:
        return (0.0, float("inf"), 1.0 if diff == 0 else 0.0, 0.0)
    t = diff / se
    df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    p = betainc(df / 2, 0.5, df / (df + t * t))
    return t, df, p, se


def load(folder):
    """runs[impl][rule][epoch] -> list of (test_accuracy, test_loss), one per seed."""
    runs = {}
    for path in sorted(glob.glob(os.path.join(folder, "*_s*.jsonl"))):
        m = re.fullmatch(r"(go|py)_(.+)_s(\d+)\.jsonl", os.path.basename(path))
        if not m:
            continue
        impl, rule = m.group(1), m.group(2)
        with open(path) as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    runs.setdefault(impl, {}).setdefault(rule, {}).setdefault(r["epoch"], []).append(
                        (r["test_accuracy"], r["test_loss"]))
    return runs


def table(runs, field, label, fmt):
    idx = {"acc": 0, "loss": 1}[field]
    out = [f"| rule | epoch | Go {label} (n) | PyTorch {label} (n) | Go − PyTorch | \\|diff\\|/SE | Welch p | verdict |",
           "|---|---|---|---|---|---|---|---|"]
    flagged = rows = 0
    rules = [r for r in RULES if r in runs.get("go", {}) or r in runs.get("py", {})]
    for rule in rules:
        epochs = sorted(set(runs.get("go", {}).get(rule, {})) | set(runs.get("py", {}).get(rule, {})))
        for ep in epochs:
            g = [v[idx] for v in runs.get("go", {}).get(rule, {}).get(ep, [])]
            p = [v[idx] for v in runs.get("py", {}).get(rule, {}).get(ep, [])]
            cell = lambda v: (f"{fmt(statistics.mean(v))} ± {fmt(statistics.stdev(v))} ({len(v)})"
                              if len(v) > 1 else (f"{fmt(v[0])} (1)" if v else "–"))
            if len(g) > 1 and len(p) > 1:
                t, df, pv, se = welch(g, p)
                diff = statistics.mean(g) - statistics.mean(p)
                z = abs(diff) / se if se else 0.0
                verdict = "same" if pv >= ALPHA else "**DIFFERENT**"
                rows += 1
                flagged += pv < ALPHA
                out.append(f"| {rule} | {ep} | {cell(g)} | {cell(p)} | {diff:+.{4 if field == 'loss' else 2}f} "
                           f"| {z:.2f} | {pv:.3f} | {verdict} |")
            else:
                out.append(f"| {rule} | {ep} | {cell(g)} | {cell(p)} | – | – | – | too few runs |")
    out.append("")
    out.append(f"{flagged} of {rows} rows have Welch p < {ALPHA} "
               f"(about {ALPHA * rows:.1f} expected by chance if both compute the same thing).")
    return "\n".join(out)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/lwf-compare"
    runs = load(folder)
    if not runs:
        sys.exit(f"summarise.py: no go_*/py_* .jsonl runs in {folder}")
    print("### Test accuracy (%) after each epoch, mean ± std over seeds\n")
    print(table(runs, "acc", "accuracy %", lambda v: f"{v:.2f}"))
    print("\n### Test loss (sum-reduced BCE / N) after each epoch, mean ± std over seeds\n")
    print(table(runs, "loss", "loss", lambda v: f"{v:.4f}"))
    print(f"\nCriterion: Welch's two-sided t-test on the per-seed values; \"same\" means p >= {ALPHA}. "
          "Std is the sample standard deviation over seeds.")


if __name__ == "__main__":
    main()
