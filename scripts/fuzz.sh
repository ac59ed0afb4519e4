#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time: FUZZ_SECONDS each (default 20).
#
#   scripts/fuzz.sh                       # what CI runs
#   FUZZ_SECONDS=3600 scripts/fuzz.sh     # an hour per target
#   FUZZ_TARGETS=origin_match scripts/fuzz.sh
#
# The toolchain here is stable; cargo-fuzz needs -Z flags (sanitizer coverage passes, and
# the sanitizer itself), which stable rustc accepts under RUSTC_BOOTSTRAP=1. The address
# sanitizer is used when the toolchain ships its runtime, else none (libFuzzer still finds
# panics, which is what a safe-Rust crate mostly has to fear). Debug assertions are on (-a):
# an integer overflow in a parser is a finding too.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${FUZZ_SECONDS:-20}"
export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

sysroot_lib="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/lib"
if compgen -G "$sysroot_lib/librustc-*_rt.asan.a" >/dev/null; then
    sanitizer=address
else
    sanitizer=none
fi

targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"
echo "fuzz: sanitizer=$sanitizer, ${seconds}s per target: $(echo $targets)"
cargo fuzz build -a -s "$sanitizer"

passed=0
failed=0
for target in $targets; do
    mkdir -p "corpus/$target"
    # The first directory collects what the run finds; seeds/ is only read.
    if cargo fuzz run -a -s "$sanitizer" "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >"corpus/$target.log" 2>&1; then
        passed=$((passed + 1))
        echo "fuzz: $target: $(grep -E '^stat::number_of_executed_units' "corpus/$target.log" | awk '{print $2}') runs, no failure"
    else
        failed=$((failed + 1))
        echo "fuzz: $target FAILED; the input is in fuzz/artifacts/$target/"
        tail -n 60 "corpus/$target.log"
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
