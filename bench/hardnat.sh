#!/usr/bin/env bash
# Hard-NAT bench (root): in the real NAT lab (cluster/natlab.sh), a coordinator and bob stay up
# while TRIALS fresh peers (alice1, alice2, ...) start in alice's namespace one after another; each
# connects to bob and waits up to 10 s for a direct path. Prints per scenario: direct within 10 s
# (of TRIALS), the median and worst time from the introduction to the direct path (the node's own
# directAfterMs in p2p.peers), the strategy that won, and the ratio of the median to cone's, the
# baseline measured in the same run. Run it under the lab lock:
#
#   flock /tmp/p2plab.lock bash bench/hardnat.sh [SCENARIO...]   (default: cone one-symmetric double-nat-symmetric both-symmetric)
#   TRIALS=5 bash bench/hardnat.sh one-symmetric
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/p2p-node.jar ] || mvn -B -q package -DskipTests
JAR=$PWD/target/p2p-node.jar
LAB=cluster/natlab.sh
TRIALS=${TRIALS:-20}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  bash $LAB down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
JAVA=(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m -jar "$JAR")

cfg() { # ID COORDINATOR?
  local coord=${2:-false}
  cat > "$WORK/$1.json" <<JSON
{"peerId":"$1","listen":{"host":"0.0.0.0","port":7700},"coordinator":{"enabled":$coord},
 "rendezvous":$([ "$coord" = true ] && echo '[]' || echo '["203.0.113.100:7700"]'),"bridge":{"port":7701},"http":{"port":0}}
JSON
}
cli() { local n=$1; shift; ip netns exec "p2plab-$n" "${JAVA[@]}" "$@" 2>/dev/null || true; }
json() { python3 -c "import sys,json
try:
  d=json.load(sys.stdin)
except Exception:
  sys.exit(0)
$1"; }
start() { # NAMESPACE ID: prints the node's pid (started in a subshell: no job notices when the lab kills it)
  (ip netns exec "p2plab-$1" "${JAVA[@]}" --conf "$WORK/$2.json" >"$WORK/$2.log" 2>&1 & echo $! >"$WORK/$2.pid")
  cat "$WORK/$2.pid"
}
await_nat() { # NAMESPACE
  for _ in $(seq 60); do
    t=$(cli "$1" status | json 'print(d.get("natType",""))')
    [ -n "$t" ] && [ "$t" != unknown ] && { echo "$t"; return; }
    sleep 0.3
  done
  echo unknown
}

declare -A MEDIAN
printf '%-22s %-8s %-10s %-10s %-10s %s\n' scenario direct median_ms worst_ms vs_cone strategies
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(cone one-symmetric double-nat-symmetric both-symmetric)
for sc in "${scenarios[@]}"; do
  bash $LAB up "$sc" >/dev/null
  cfg coord true; cfg bob
  PIDS+=("$(start coord coord)" "$(start bob bob)")
  await_nat bob >/dev/null
  times=(); direct=0; strategies=""
  for i in $(seq "$TRIALS"); do
    id="alice$i"; cfg "$id"
    pid=$(start alice "$id"); PIDS+=("$pid")
    await_nat alice >/dev/null
    cli alice connect bob >/dev/null || true
    ms=""
    deadline=$((SECONDS + 10))
    while [ $SECONDS -lt $deadline ]; do
      line=$(cli alice peers | json 'p=[x for x in d["peers"] if x["peerId"]=="bob"]
if p: print(p[0].get("path"), p[0].get("directAfterMs"), p[0].get("strategy"))')
      set -- $line
      if [ "${1:-}" = direct ]; then ms=$2; strategies="$strategies $3"; break; fi
      sleep 0.25
    done
    if [ -n "$ms" ]; then direct=$((direct + 1)); times+=("$ms"); fi
    kill "$pid" 2>/dev/null || true
  done
  stats=$(printf '%s\n' "${times[@]:-}" | python3 -c "import sys,statistics
v=[int(x) for x in sys.stdin.read().split() if x.strip() and x!='None']
print(int(statistics.median(v)) if v else '-', max(v) if v else '-')")
  set -- $stats
  MEDIAN[$sc]=$1
  base=${MEDIAN[cone]:-}
  ratio=-
  if [ -n "$base" ] && [ "$base" != - ] && [ "$1" != - ] && [ "$base" -gt 0 ]; then ratio=$(python3 -c "print(f'{$1/$base:.1f}x')"); fi
  strat=$(echo $strategies | tr ' ' '\n' | grep -v '^$' | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}' || true)
  printf '%-22s %-8s %-10s %-10s %-10s %s\n' "$sc" "$direct/$TRIALS" "$1" "$2" "$ratio" "$strat"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  PIDS=()
  bash $LAB down >/dev/null
done
