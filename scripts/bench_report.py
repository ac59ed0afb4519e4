#!/usr/bin/env python3
"""Tables (results.md) and a chart (ratios.svg) from scripts/load.sh's measurements.

Reads DIR/callgrind.tsv, and when present DIR/wrk.tsv, DIR/callgrind-local.tsv (the same
count through rocket::local) and DIR/callgrind-before.tsv (an earlier HTTP measurement of
the crate against the same floor, shown as "was"). Standard library only: the SVG is
written by hand.
"""
import csv
import statistics
import subprocess
import sys
from pathlib import Path

MODES = ["bare", "floor", "cors-fairing", "rocket_cors"]
CASES = ["get-allowed", "get-no-origin", "get-refused", "preflight", "get-regex"]
# DESIGN.md section 5: cors-fairing's instructions per request over the floor's.
TARGETS = {"get-allowed": 1.03, "preflight": 1.03, "get-no-origin": 1.01}
COLOURS = {"floor": "#8c8c8c", "cors-fairing": "#1f77b4", "before": "#aec7e8",
           "rocket_cors": "#d62728"}


def read(path):
    if not path.exists():
        return []
    with path.open() as f:
        return list(csv.DictReader(f, delimiter="\t"))


def per_request(rows):
    return {(r["case"], r["mode"]): int(r["instructions_per_request"]) for r in rows}


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "unknown CPU")
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{cores} cores (nproc), {cpu}"


def callgrind_table(ins, before):
    lines = ["| case | bare | floor | cors-fairing | rocket_cors | cors-fairing / floor | "
             "target | cors-fairing / bare | rocket_cors / cors-fairing |",
             "|---|---:|---:|---:|---:|---:|---|---:|---:|"]
    for case in CASES:
        if any((case, m) not in ins for m in MODES):
            continue  # a run restricted with MODES: no full row
        v = {m: ins.get((case, m)) for m in MODES}
        ratio = v["cors-fairing"] / v["floor"]
        target = TARGETS.get(case)
        verdict = (f"<= {target:.2f} {'met' if ratio <= target else 'MISSED'}" if target else "-")
        was = before.get((case, "cors-fairing"))
        was_text = f" (was {was / before[(case, 'floor')]:.3f})" if was else ""
        lines.append(
            f"| {case} | {v['bare']:,} | {v['floor']:,} | {v['cors-fairing']:,} | "
            f"{v['rocket_cors']:,} | **{ratio:.3f}**{was_text} | {verdict} | "
            f"{v['cors-fairing'] / v['bare']:.3f} | {v['rocket_cors'] / v['cors-fairing']:.2f} |")
    return lines


def local_table(ins):
    """DESIGN.md section 5 asks rocket::local dispatch to be 2x faster than rocket_cors: read
    both as a total and as the overhead each adds to bare Rocket."""
    lines = ["| case | bare | floor | cors-fairing | rocket_cors | rocket_cors / cors-fairing "
             "(total) | (rocket_cors - bare) / (cors-fairing - bare) (overhead) | "
             "cors-fairing / floor |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for case in CASES:
        if any((case, m) not in ins for m in MODES):
            continue  # a run restricted with MODES: no full row
        v = {m: ins.get((case, m)) for m in MODES}
        overhead = (v["rocket_cors"] - v["bare"]) / (v["cors-fairing"] - v["bare"])
        lines.append(
            f"| {case} | {v['bare']:,} | {v['floor']:,} | {v['cors-fairing']:,} | "
            f"{v['rocket_cors']:,} | {v['rocket_cors'] / v['cors-fairing']:.2f} | "
            f"{overhead:.2f} | {v['cors-fairing'] / v['floor']:.3f} |")
    return lines


def wrk_table(rows):
    rps = {}
    for r in rows:
        if r["requests_per_s"]:
            rps.setdefault((r["case"], r["mode"]), []).append(float(r["requests_per_s"]))
    med = {k: statistics.median(v) for k, v in rps.items()}
    lines = ["| case | bare | floor | cors-fairing | rocket_cors | cors-fairing / floor | "
             "cors-fairing / bare | cors-fairing / rocket_cors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for case in CASES:
        if (case, "cors-fairing") not in med:
            continue
        v = {m: med.get((case, m), float("nan")) for m in MODES}
        lines.append(
            f"| {case} | {v['bare']:,.0f} | {v['floor']:,.0f} | {v['cors-fairing']:,.0f} | "
            f"{v['rocket_cors']:,.0f} | {v['cors-fairing'] / v['floor']:.3f} | "
            f"{v['cors-fairing'] / v['bare']:.3f} | {v['cors-fairing'] / v['rocket_cors']:.3f} |")
    return lines


def svg_chart(ins, before):
    """Horizontal bars: instructions per request over bare Rocket's, per case and app."""
    series = ["floor", "cors-fairing", "rocket_cors"]
    if before:
        series.insert(2, "before")
    cases = [c for c in CASES if all((c, m) in ins for m in MODES)]
    bar, gap, left, width = 16, 18, 120, 480
    top = 56
    height = top + len(cases) * (len(series) * bar + gap) + 40
    lo, hi = 0.9, max(ins[(c, "rocket_cors")] / ins[(c, "bare")] for c in cases) + 0.1
    x = lambda r: left + (r - lo) / (hi - lo) * width
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 150}" '
           f'height="{height}" font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="14" font-weight="bold">Instructions per request '
           'over HTTP, relative to bare Rocket (callgrind)</text>']
    legend_x = 10
    for s in series:
        label = {"before": "cors-fairing before"}.get(s, s)
        out.append(f'<rect x="{legend_x}" y="32" width="12" height="12" fill="{COLOURS[s]}"/>'
                   f'<text x="{legend_x + 16}" y="42">{label}</text>')
        legend_x += 30 + 7 * len(label)
    tick = 1.0
    while tick <= hi:
        out.append(f'<line x1="{x(tick):.1f}" y1="{top - 4}" x2="{x(tick):.1f}" '
                   f'y2="{height - 30}" stroke="#ddd"/>'
                   f'<text x="{x(tick):.1f}" y="{height - 14}" text-anchor="middle">'
                   f'{tick:.1f}x</text>')
        tick = round(tick + 0.2, 1)
    y = top
    for case in cases:
        bare = ins[(case, "bare")]
        out.append(f'<text x="{left - 8}" y="{y + len(series) * bar / 2 + 4}" '
                   f'text-anchor="end">{case}</text>')
        for s in series:
            value = before[(case, "cors-fairing")] if s == "before" else ins[(case, s)]
            r = value / bare
            out.append(f'<rect x="{x(lo):.1f}" y="{y}" width="{x(r) - x(lo):.1f}" '
                       f'height="{bar - 2}" fill="{COLOURS[s]}"/>'
                       f'<text x="{x(r) + 4:.1f}" y="{y + bar - 5}">{r:.3f}'
                       + (f' ({value / ins[(case, "floor")]:.3f} x floor)'
                          if s in ("cors-fairing", "before") else "") + '</text>')
            y += bar
        y += gap
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "benches/results")
    ins = per_request(read(out / "callgrind.tsv"))
    before = per_request(read(out / "callgrind-before.tsv"))
    wrk = read(out / "wrk.tsv")
    local = per_request(read(out / "callgrind-local.tsv"))
    text = [f"Machine: {machine()}.", ""]
    if ins:
        text += ["Instructions per request over HTTP (callgrind, server with 1 worker, "
                 "(I(N2) - I(N1)) / (N2 - N1)):", ""] + callgrind_table(ins, before) + [""]
        if any(all((c, m) in ins for m in MODES) for c in CASES):
            (out / "ratios.svg").write_text(svg_chart(ins, before))
    if local:
        text += ["Instructions per request through rocket::local (callgrind, "
                 "`dispatch --loop`, (I(N2) - I(N1)) / (N2 - N1)):", ""]
        text += local_table(local) + [""]
    if wrk:
        text += ["Requests per second over loopback (wrk, median of the rounds; noisy):", ""]
        text += wrk_table(wrk) + [""]
    (out / "results.md").write_text("\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
