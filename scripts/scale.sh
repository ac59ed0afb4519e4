#!/usr/bin/env bash
# How the cost of an allowed GET grows with the origin lists: instructions per request over
# HTTP (callgrind, one worker, (I(N2) - I(N1)) / (N2 - N1)), for the floor and for
# cors-fairing with BENCH_SCALE = exact:1|100|10000, wildcard:1|100|1000, regex:1|20 (see
# benches/apps settings()), and policies:1|10 (named policies, the request judged by one of
# them after every other). Prints a TSV: scale, case, mode, I(N1), I(N2), per request.
#
#   scripts/scale.sh          # about 12 minutes on a quiet 2-core machine
#   CONFIGS="exact:1/get-allowed/floor policies:10/get-allowed/cors-fairing" scripts/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N1=${N1:-200}
N2=${N2:-1200}
PORT=${PORT:-8660}
# shellcheck source=scripts/callgrind.sh
. scripts/callgrind.sh

echo -e "scale\tcase\tmode\tinstructions_n1\tinstructions_n2\tper_request"
CONFIGS=${CONFIGS:-"exact:1/get-allowed/floor exact:1/get-allowed/cors-fairing
    exact:100/get-allowed/cors-fairing exact:10000/get-allowed/cors-fairing
    wildcard:1/get-allowed/cors-fairing wildcard:100/get-allowed/cors-fairing
    wildcard:1000/get-allowed/cors-fairing regex:1/get-regex/cors-fairing
    regex:20/get-regex/cors-fairing policies:1/get-allowed/cors-fairing
    policies:10/get-allowed/cors-fairing"}
for config in $CONFIGS; do
    IFS=/ read -r scale case mode <<<"$config"
    i1=$(BENCH_SCALE=$scale callgrind_total "$case" "$N1" "$mode")
    i2=$(BENCH_SCALE=$scale callgrind_total "$case" "$N2" "$mode")
    echo -e "$scale\t$case\t$mode\t$i1\t$i2\t$(((i2 - i1) / (N2 - N1)))"
done
