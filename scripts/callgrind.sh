# Sourced by scripts/scale.sh and scripts/origin_check.sh: one way to start the bench server,
# wait for it and count what callgrind saw, so the two figures are made the same way.
# Sourcing it builds the bench server (SERVER). The caller sets PORT; BENCH_SCALE, when the
# caller sets it for a call (`BENCH_SCALE=exact:100 callgrind_total ...`), reaches the server.

SERVER=target/release/examples/bench_server
cargo build --profile bench --example bench_server >&2

# Waits until something listens on PORT: $1 tries, $2 seconds apart.
wait_for_port() { # tries delay
    for _ in $(seq "$1"); do
        (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0
        sleep "$2"
    done
    echo "nothing listens on port $PORT" >&2
    return 1
}

# The instructions callgrind counts for a server in `mode` answering `n` requests of `case`
# (start-up and shutdown included: callers take the difference of two n).
callgrind_total() { # case n mode
    local file pid
    file=$(mktemp --suffix=.callgrind)
    valgrind --tool=callgrind --callgrind-out-file="$file" \
        "$SERVER" serve "$3" "$PORT" 1 >/dev/null 2>&1 &
    pid=$!
    # A 10,000-origin policy logs a 10,000-line banner under valgrind: allow minutes.
    wait_for_port 1200 0.5
    "$SERVER" client "$PORT" "$1" "$2" >/dev/null
    kill -INT "$pid"
    wait "$pid" || true
    awk '/^(summary|totals):/ {print $2; exit}' "$file"
    rm -f "$file"
}
