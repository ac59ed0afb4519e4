#!/usr/bin/env bash
# cargo mutants in two phases, so a run fits a small machine:
#   A: every mutant of FILES against the unit tests alone (one crate built, one binary
#      linked per mutant: a few seconds each);
#   B: only A's survivors (missed, timeout) against the integration tests that judge
#      requests and configurations, through --iterate (every other mutant of those files
#      is written down as caught first).
# A mutant's result is B's when B ran it, else A's.
#
#   scripts/mutants.sh OUT FILE...      # e.g. scripts/mutants.sh /tmp/m src/policy/set.rs
#
# Runs in place (`--in-place`): use a worktree of its own, not the one you edit. Debug info
# off and mold (if installed) keep each build short.
set -euo pipefail
out=$1
shift
mkdir -p "$out/A"
[ $# -gt 0 ] || { echo "usage: $0 OUT FILE..." >&2; exit 2; }
export CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0 CARGO_TERM_COLOR=never
if command -v mold >/dev/null && command -v clang >/dev/null; then
    export RUSTFLAGS="-C linker=clang -C link-arg=-fuse-ld=mold"
fi
files=()
for f in "$@"; do files+=(--file "$f"); done
INTEGRATION=(lib behaviour hostile_config hostile_requests wire_rules origin_forms config_toml
    config_env named_policies launch_errors cross_origin_protection report_only diagnostics
    scoping properties origin_check reload_env reload_files reload_faults reload_log reload_watch
    reload_signal refusal_log counters given_in_code cli)
common=(--in-place --no-shuffle --baseline=skip --timeout 120 --build-timeout 400)

cargo mutants "${common[@]}" "${files[@]}" -o "$out/A" --cargo-arg=--lib || true

survivors=$(mktemp)
cat "$out/A/mutants.out/missed.txt" "$out/A/mutants.out/timeout.txt" | sort -u >"$survivors"
if [ -s "$survivors" ]; then
    mkdir -p "$out/B/mutants.out"
    cargo mutants --list "${files[@]}" | sort -u | comm -23 - "$survivors" \
        >"$out/B/mutants.out/caught.txt"
    : >"$out/B/mutants.out/unviable.txt"
    args=(--cargo-arg=--features=cli)
    for t in "${INTEGRATION[@]}"; do
        if [ "$t" = lib ]; then args+=(--cargo-arg=--lib); else args+=("--cargo-arg=--test=$t"); fi
    done
    cargo mutants "${common[@]}" "${files[@]}" --iterate -o "$out/B" "${args[@]}" || true
fi
rm -f "$survivors"
echo "phase A: $out/A/mutants.out; phase B (survivors of A): $out/B/mutants.out"
