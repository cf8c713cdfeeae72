#!/usr/bin/env python3
"""The soak report (scripts/soak.sh): reads a run's result.json and says, per mode, whether the
harness stayed steady after the warm-up (memory, threads, descriptors) and how latency drifted
minute by minute. Writes Markdown to --out and prints it; the exit status is soak.sh's."""
import argparse
import json
import statistics
import sys


def median_of(values):
    return statistics.median(values) if values else None


def flat(samples, key):
    """(first-tenth median, last-tenth median, flat?) of one figure over the samples."""
    values = [s[key] for s in samples if s.get(key) is not None]
    if len(values) < 2:
        return None, None, True
    tenth = max(1, len(values) // 10)
    first, last = median_of(values[:tenth]), median_of(values[-tenth:])
    return first, last, last <= first + max(5, 0.05 * first)


def minute_p99s(mode, warmup_s, duration_s):
    """Per measured minute, the median of its per-second p99s (ms) over seconds with answers."""
    minutes = {}
    for second in mode.get("series", []):
        t = second["t_s"]
        if t < warmup_s or t >= warmup_s + duration_s or not second.get("ok"):
            continue
        if second.get("p99_us") is not None:
            minutes.setdefault(int((t - warmup_s) // 60), []).append(second["p99_us"] / 1000)
    return {m: median_of(v) for m, v in sorted(minutes.items())}


def mib(n):
    return f"{n / 2**20:,.1f} MiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("result")
    parser.add_argument("--warmup", type=float, required=True, help="seconds")
    parser.add_argument("--ledger-bytes", type=float, required=True,
                        help="documented harness memory per measured request")
    parser.add_argument("--run-exit", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    result = json.load(open(args.result))
    duration_s = result["settings"]["duration_s"]
    lines = [f"# Soak: {result['scenario']}", "",
             f"{result['settings'].get('rate_per_s', 0):g}/s, {args.warmup:g} s warm-up, "
             f"{duration_s:g} s measured per mode; `asyncbench run` exit {args.run_exit}. "
             f"Figures after the warm-up; the allowance is {args.ledger_bytes:g} bytes per "
             f"measured request (the reconciliation ledger).", ""]
    finding = invalid = False
    minutes = {}
    for name, mode in result["modes"].items():
        lines += [f"## {name}", ""]
        if not mode["valid"]:
            invalid = True
            lines.append(f"- **not valid**: {'; '.join(mode['invalid_reasons'])}")
        rec = mode["reconciliation"]
        if rec["lost"] or rec["duplicate_effects"]:
            finding = True
            lines.append(f"- **{rec['lost']} lost, {rec['duplicate_effects']} duplicate effects**")
        requests = mode["requests"]
        allowance = args.ledger_bytes * requests
        lines += ["", f"{requests:,} measured requests: an allowance of {mib(allowance)} for the "
                  "harness process.", "",
                  "| process | RSS after warm-up | RSS at the end | growth | per request | "
                  "beyond the allowance | threads first / last tenth | "
                  "descriptors first / last tenth | steady |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for part in mode.get("cost", []):
            samples = [s for s in part.get("samples", []) if s["t_s"] >= args.warmup]
            if len(samples) < 2:
                continue
            rss = [s["rss_bytes"] for s in samples if s.get("rss_bytes") is not None]
            t0, t1, threads_flat = flat(samples, "threads")
            f0, f1, fds_flat = flat(samples, "fds")
            steady = threads_flat and fds_flat
            growth_text = per_request = beyond = "n/a"
            start = end = None
            if len(rss) >= 2:
                start, end = rss[0], rss[-1]
                growth = end - start
                growth_text = f"{growth / 2**20:+,.1f} MiB ({100 * growth / start:+.1f}%)"
                per_request = f"{growth / requests:,.0f} B" if requests else "n/a"
                if part["part"] == "harness process":
                    excess = growth - allowance
                    beyond = f"{100 * max(0, excess) / start:.1f}% (limit 5%)"
                    steady = steady and excess < 0.05 * start
                else:
                    beyond = "no allowance"
            if not steady:
                finding = True
            lines.append(
                f"| {part['part']} | {mib(start) if start else 'n/a'} | {mib(end) if end else 'n/a'} "
                f"| {growth_text} | {per_request} | {beyond} | {t0:g} / {t1:g} | "
                f"{'n/a' if f0 is None else f'{f0:g} / {f1:g}'} | {'yes' if steady else '**no**'} |")
        minutes[name] = minute_p99s(mode, args.warmup, duration_s)
        lines.append("")
    lines += ["## p99 per minute (ms, median of the per-second p99s)", "",
              "| minute | " + " | ".join(minutes) + " |", "|---:|" + "---:|" * len(minutes)]
    for m in sorted({m for per_mode in minutes.values() for m in per_mode}):
        cells = [f"{minutes[name][m]:.1f}" if m in minutes[name] else "" for name in minutes]
        lines.append(f"| {m + 1} | " + " | ".join(cells) + " |")
    drift = []
    for name, per_mode in minutes.items():
        if len(per_mode) >= 2:
            first, last = per_mode[min(per_mode)], per_mode[max(per_mode)]
            drift.append(f"{name} {first:.1f} -> {last:.1f} ms ({last / first:.2f}x)" if first
                         else f"{name} -> {last:.1f} ms")
    lines += ["", f"Drift, first to last minute: {'; '.join(drift) or 'too short to tell'}.", ""]
    code = 3 if invalid or args.run_exit == 3 else 2 if args.run_exit == 2 else \
        1 if finding or args.run_exit == 1 else 0
    verdict = {0: "steady: no growth beyond the ledger, threads and descriptors flat, "
                  "both modes valid",
               1: "a finding: see the rows marked above", 2: "the run refused its arguments",
               3: "not trustworthy: a mode is not valid"}[code]
    lines.append(f"**Verdict: {verdict}** (exit {code}).")
    text = "\n".join(lines) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    print(text)
    return code


if __name__ == "__main__":
    sys.exit(main())
