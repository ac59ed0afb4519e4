#!/usr/bin/env bash
# Loopback load and instruction counts for the four modes of benches/apps (bare, floor,
# cors-fairing, rocket_cors) on the five request cases.
#
#   scripts/load.sh            # both parts
#   scripts/load.sh wrk        # requests/s under wrk only
#   scripts/load.sh callgrind  # instructions per request only
#   scripts/load.sh local      # instructions per request through rocket::local (no HTTP)
#
# wrk: one server per mode on 127.0.0.1, all started at once; the modes take turns in
# ROUNDS rounds (the order rotating), DURATION seconds each, and the median requests/s
# per mode is reported with its ratio to bare and to the floor. On a shared 2-core
# machine these swing 10-50 % between runs: read them as a rough picture.
#
# callgrind: the server (1 worker) runs under `valgrind --tool=callgrind` and serves N1,
# then in a second run N2, requests of one case over one keep-alive connection; the
# instructions per request are (I(N2) - I(N1)) / (N2 - N1), so start-up and shutdown
# cancel out; the median of REPEAT such pairs is reported. These repeat within about 1 %
# where requests/s swing 10-50 %: decide small differences with them.
#
# local: the same N1/N2 difference for `benches/dispatch.rs --loop MODE CASE N`, which
# dispatches through rocket::local's blocking client and nothing else (docs/performance.md's
# rocket::local target), for LOCAL_CASES (get-allowed, preflight).
#
# Results: benches/results/{wrk.tsv,callgrind.tsv,callgrind-local.tsv,results.md,ratios.svg}.
# Env: ROUNDS (3) DURATION (3) CONNECTIONS (8) N1 (200) N2 (1200) REPEAT (3) CASES MODES
# SERVER (another build of examples/bench_server, e.g. one of an earlier commit).
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-all}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-3}
CONNECTIONS=${CONNECTIONS:-8}
N1=${N1:-200}
N2=${N2:-1200}
REPEAT=${REPEAT:-3}
MODES=(${MODES:-bare floor cors-fairing rocket_cors})
CASES=(${CASES:-get-allowed get-no-origin get-refused preflight get-regex})
OUT=${OUT:-benches/results}
SERVER=${SERVER:-target/release/examples/bench_server}
mkdir -p "$OUT"

need() {
    command -v "$1" >/dev/null && return
    echo "installing $2 (Debian package)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y "$2" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$2" >/dev/null; }
}

if [[ $what != local && $what != report ]]; then
    cargo build --profile bench --example bench_server >&2
fi

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

# A port nobody listens on now: other engineers' benchmarks run on the same machine, and a
# fixed port would let one run's client talk to another run's server.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() { # port seconds
    for _ in $(seq $(($2 * 10))); do
        curl -s -o /dev/null "http://127.0.0.1:$1/api/items" && return 0
        sleep 0.1
    done
    echo "server on port $1 did not come up" >&2
    return 1
}

# The request of a case as a wrk Lua script, from the same definitions the server uses.
wrk_script() { # case file
    local method=GET
    {
        case $1 in
            get-allowed) echo 'wrk.headers["Origin"] = "https://app.example.com"' ;;
            get-refused) echo 'wrk.headers["Origin"] = "https://evil.example.net"' ;;
            get-regex) echo 'wrk.headers["Origin"] = "https://pr-42.preview.example.net"' ;;
            preflight)
                method=OPTIONS
                echo 'wrk.headers["Origin"] = "https://app.example.com"'
                echo 'wrk.headers["Access-Control-Request-Method"] = "PUT"'
                echo 'wrk.headers["Access-Control-Request-Headers"] = "content-type, authorization"'
                ;;
        esac
        echo "wrk.method = \"$method\""
    } >"$2"
}

run_wrk() {
    need wrk wrk
    local port
    declare -A port_of
    for mode in "${MODES[@]}"; do
        port=$(free_port)
        "$SERVER" serve "$mode" "$port" 2 >/dev/null 2>&1 &
        pids+=($!)
        port_of[$mode]=$port
    done
    for mode in "${MODES[@]}"; do wait_for_port "${port_of[$mode]}" 30; done
    local script
    script=$(mktemp --suffix=.lua)
    echo -e "case\tmode\tround\trequests_per_s" >"$OUT/wrk.tsv"
    for case in "${CASES[@]}"; do
        wrk_script "$case" "$script"
        for round in $(seq "$ROUNDS"); do
            local n=${#MODES[@]}
            for k in $(seq 0 $((n - 1))); do
                local mode=${MODES[$(((round + k) % n))]}
                local url="http://127.0.0.1:${port_of[$mode]}/api/items"
                wrk -t1 -c1 -d1s -s "$script" "$url" >/dev/null # warm
                local rps
                rps=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$script" "$url" |
                    awk '/^Requests\/sec/ {print $2}')
                echo -e "$case\t$mode\t$round\t$rps" | tee -a "$OUT/wrk.tsv" >&2
            done
        done
    done
    rm -f "$script"
    cleanup
    pids=()
}

# Total instructions of one callgrind run of the server serving $3 requests of case $2.
callgrind_total() { # mode case n
    need valgrind valgrind
    local port file
    port=$(free_port)
    file=$(mktemp --suffix=.callgrind)
    valgrind --tool=callgrind --callgrind-out-file="$file" "$SERVER" serve "$1" "$port" 1 \
        >/dev/null 2>&1 &
    local pid=$!
    pids+=($pid)
    wait_for_port "$port" 120
    "$SERVER" client "$port" "$2" "$3"
    kill -INT "$pid"
    wait "$pid" || true
    pids=()
    awk '/^(summary|totals):/ {print $2; exit}' "$file"
    if [[ -n ${KEEP_PROFILES:-} ]]; then mv "$file" "$OUT/$1.$2.$3.callgrind"; else rm -f "$file"; fi
}

# Instructions per request for every case and mode, into the .tsv `$1`: `$2` is the command
# that counts the instructions of one run (`$2 MODE CASE N`), `$3` the cases.
per_request_table() { # out counter cases
    local out=$1 counter=$2 cases=$3
    echo -e "case\tmode\tinstructions_n1\tinstructions_n2\tn1\tn2\tinstructions_per_request\tall" \
        >"$out"
    for case in $cases; do
        for mode in "${MODES[@]}"; do
            # The median of REPEAT pairs: a pair alone drifts by up to ~1 % (timers, hyper's
            # date cache), which is the size of the smallest difference being decided.
            local i1 i2 per pers=()
            for _ in $(seq "$REPEAT"); do
                i1=$("$counter" "$mode" "$case" "$N1")
                i2=$("$counter" "$mode" "$case" "$N2")
                pers+=($(((i2 - i1) / (N2 - N1))))
            done
            per=$(printf '%s\n' "${pers[@]}" | sort -n | sed -n "$(((REPEAT + 1) / 2))p")
            echo -e "$case\t$mode\t$i1\t$i2\t$N1\t$N2\t$per\t${pers[*]}" | tee -a "$out" >&2
        done
    done
}

# Each cors-fairing mode and its floor must answer every case with the same status and CORS
# lines over HTTP, or the ratio between them means nothing: checked before anything is
# measured, for every pair whose cors-fairing mode is in MODES (cors-fairing always).
FLOORS=(floor:cors-fairing floor-timing:timing floor-protected:protected)
check_lines() {
    local pair floor_mode ours_mode floor ours case checked=()
    for pair in "${FLOORS[@]}"; do
        floor_mode=${pair%%:*} ours_mode=${pair##*:}
        [[ $ours_mode == cors-fairing || " ${MODES[*]} " == *" $ours_mode "* ]] || continue
        floor=$(free_port)
        "$SERVER" serve "$floor_mode" "$floor" 1 >/dev/null 2>&1 &
        pids+=($!)
        ours=$(free_port)
        "$SERVER" serve "$ours_mode" "$ours" 1 >/dev/null 2>&1 &
        pids+=($!)
        wait_for_port "$floor" 30
        wait_for_port "$ours" 30
        for case in "${CASES[@]}"; do
            diff <("$SERVER" lines "$floor" "$case") <("$SERVER" lines "$ours" "$case") >&2 ||
                { echo "$case: $floor_mode and $ours_mode answer differently" >&2; exit 1; }
        done
        cleanup
        pids=()
        checked+=("$floor_mode/$ours_mode")
    done
    echo "${checked[*]} answer ${CASES[*]} alike" >&2
}

run_callgrind() {
    check_lines
    per_request_table "$OUT/callgrind.tsv" callgrind_total "${CASES[*]}"
}

# Instructions of one callgrind run of `dispatch --loop MODE CASE N` ($DISPATCH: the binary).
local_total() { # mode case n
    need valgrind valgrind
    local file
    file=$(mktemp --suffix=.callgrind)
    valgrind --tool=callgrind --callgrind-out-file="$file" "$DISPATCH" --loop "$1" "$2" "$3" \
        >/dev/null 2>&1
    awk '/^(summary|totals):/ {print $2; exit}' "$file"
    rm -f "$file"
}

run_local() {
    DISPATCH=$(cargo bench --bench dispatch --no-run 2>&1 | tee /dev/stderr |
        sed -n 's/.*Executable benches\/dispatch.rs (\(.*\))/\1/p')
    [[ -x $DISPATCH ]] || { echo "no dispatch bench binary" >&2; exit 1; }
    per_request_table "$OUT/callgrind-local.tsv" local_total "${LOCAL_CASES:-get-allowed preflight}"
}

case $what in
    wrk) run_wrk ;;
    callgrind) run_callgrind ;;
    local) run_local ;;
    all) run_wrk; run_callgrind; run_local ;;
    report) ;;
    *) echo "usage: $0 [all|wrk|callgrind|local|report]" >&2; exit 2 ;;
esac

python3 scripts/bench_report.py "$OUT"
