#!/bin/sh
# The idle cost of the periodic check: CPU time of the example server over 10 s with a
# ~1 MB Rocket.toml (just under the 1 MiB cap) and reload_poll_ms = 100, once for the file
# as launched and once after an edit has been reloaded and has settled.
#
#   cargo build --example server && scripts/idle_check.sh target/debug/examples/server LABEL
set -eu
BIN=$1; LABEL=${2:-server}
D=$(mktemp -d)
{
  printf '[default]\nport = 0\nlog_level = "normal"\n[default.cors]\nallow_origin = ["https://a.example"]\nreload_poll_ms = 100\n'
  python3 -c "print(('# ' + 'x'*98 + '\n')*10000, end='')"
} > "$D/Rocket.toml"
echo "file bytes: $(wc -c < "$D/Rocket.toml")"
sleep 4   # older than the 3 s racy window before launch
ROCKET_CONFIG=$D/Rocket.toml "$BIN" > "$D/log" 2>&1 &
PID=$!
sleep 2
cpu() { awk '{print $14+$15}' /proc/$PID/stat; }
T0=$(cpu); sleep 10; T1=$(cpu)
echo "$LABEL idle (launch file): $((T1-T0)) ticks of 1/$(getconf CLK_TCK) s in 10 s"
sed -i 's/a.example/b.example/' "$D/Rocket.toml"
sleep 4
T0=$(cpu); sleep 10; T1=$(cpu)
echo "$LABEL idle after a reload: $((T1-T0)) ticks of 1/$(getconf CLK_TCK) s in 10 s"
kill $PID; wait $PID 2>/dev/null || true
echo "reloads logged: $(grep -c 'reloaded' "$D/log" || true)"
rm -rf "$D"
