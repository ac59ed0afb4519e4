#!/usr/bin/env bash
# What the origin check costs once its answer is cached: instructions per request over HTTP
# (callgrind, one worker, (I(N2) - I(N1)) / (N2 - N1); the first request, the one that calls
# the check, cancels out) for the floor, cors-fairing with the origin listed, and the
# `tenant` mode of benches/apps (the same origin allowed by the check instead), each
# REPEAT times. Prints a TSV: case, mode, round, I(N1), I(N2), per request.
#
#   scripts/origin_check.sh          # about 5 minutes on a quiet 2-core machine
set -euo pipefail
cd "$(dirname "$0")/.."
N1=${N1:-200}
N2=${N2:-1200}
PORT=${PORT:-8670}
REPEAT=${REPEAT:-2}
# shellcheck source=scripts/callgrind.sh
. scripts/callgrind.sh

# The tenant mode must answer exactly as the listed origin does.
for case in get-allowed get-refused; do
    for mode in cors-fairing tenant; do
        "$SERVER" serve "$mode" "$PORT" 1 >/dev/null 2>&1 &
        pid=$!
        wait_for_port 100 0.1
        "$SERVER" lines "$PORT" "$case" >"/tmp/origin-check-lines.$mode"
        kill -INT "$pid"
        wait "$pid" || true
    done
    diff /tmp/origin-check-lines.cors-fairing /tmp/origin-check-lines.tenant >&2 ||
        { echo "$case: the tenant mode answers otherwise" >&2; exit 1; }
done

echo -e "case\tmode\tround\tinstructions_n1\tinstructions_n2\tper_request"
for round in $(seq "$REPEAT"); do
    for config in "get-allowed floor" "get-allowed cors-fairing" "get-allowed tenant" \
        "get-refused floor" "get-refused tenant"; do
        read -r case mode <<<"$config"
        i1=$(callgrind_total "$case" "$N1" "$mode")
        i2=$(callgrind_total "$case" "$N2" "$mode")
        echo -e "$case\t$mode\t$round\t$i1\t$i2\t$(((i2 - i1) / (N2 - N1)))"
    done
done
