#!/usr/bin/env bash
# One command, a local cluster: 3 clustered coordinators (Hazelcast, cluster/hazelcast-local.xml)
# and two peers, alice registered with c1 and c2, bob with c3; alice connects to bob and sends
# him a message, then everything keeps running until Ctrl-C (or DURATION seconds).
#
#   bash cluster/local-cluster.sh [--natlab] [DURATION]
#
# On loopback: coordinators on UDP 7800/7810/7820 (bridges +1), alice 7830 (bridge 7831), bob
# 7840 (bridge 7841); try `java -jar target/p2p-node.jar status --bridge 127.0.0.1:7801`.
# With --natlab (root): inside the NAT lab's "cone" topology (cluster/natlab.sh): coordinators in
# p2plab-coord on 203.0.113.100:7700/7800/7900, alice and bob behind their cone NATs.
set -euo pipefail
cd "$(dirname "$0")/.."
NATLAB=false
if [ "${1:-}" = "--natlab" ]; then NATLAB=true; shift; fi
DURATION=${1:-0}
[ -f target/p2p-node.jar ] || mvn -B -q package -DskipTests
JAR=$PWD/target/p2p-node.jar
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if $NATLAB; then bash cluster/natlab.sh down >/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if $NATLAB; then
  bash cluster/natlab.sh up cone
  HOST=0.0.0.0; CPORTS=(7700 7800 7900); CADDR=203.0.113.100; APORT=7700; BPORT=7700
  run_in() { local ns=$1; shift; ip netns exec "p2plab-$ns" "$@"; }
  bg_java() { local ns=$1; shift; ip netns exec "p2plab-$ns" java -jar "$JAR" "$@" & }
  NS_C=coord; NS_A=alice; NS_B=bob
else
  HOST=127.0.0.1; CPORTS=(7800 7810 7820); CADDR=127.0.0.1; APORT=7830; BPORT=7840
  run_in() { shift; "$@"; }
  bg_java() { shift; java -jar "$JAR" "$@" & }
  NS_C=-; NS_A=-; NS_B=-
fi

start() { # NAME NAMESPACE CONFIG
  bg_java "$2" --conf "$3" > "$WORK/$1.log" 2>&1 # a plain background command: $! is the JVM itself
  PIDS+=($!)
  for _ in $(seq 1 600); do
    grep -q "p2p-node ready" "$WORK/$1.log" && { echo "$1: $(grep -o 'p2p-node ready.*' "$WORK/$1.log")"; return; }
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$WORK/$1.log"; echo "$1 did not start" >&2; exit 1; }
    sleep 0.1
  done
  echo "$1 did not get ready" >&2; exit 1
}

for i in 0 1 2; do
  cat > "$WORK/c$((i+1)).json" <<JSON
{"peerId":"c$((i+1))","listen":{"host":"$HOST","port":${CPORTS[$i]}},"bridge":{"port":$((${CPORTS[$i]}+1))},
 "cluster":{"enabled":true,"config":"$PWD/cluster/hazelcast-local.xml"}}
JSON
  start "c$((i+1))" "$NS_C" "$WORK/c$((i+1)).json"
done
cat > "$WORK/alice.json" <<JSON
{"peerId":"alice","listen":{"host":"$HOST","port":$APORT},"coordinator":{"enabled":false},
 "rendezvous":["$CADDR:${CPORTS[0]}","$CADDR:${CPORTS[1]}"],"bridge":{"port":$((APORT+1))}}
JSON
cat > "$WORK/bob.json" <<JSON
{"peerId":"bob","listen":{"host":"$HOST","port":$BPORT},"coordinator":{"enabled":false},
 "rendezvous":["$CADDR:${CPORTS[2]}"],"bridge":{"port":$((BPORT+1))}}
JSON
start alice "$NS_A" "$WORK/alice.json"
start bob "$NS_B" "$WORK/bob.json"

cli() { local ns=$1 port=$2; shift 2; run_in "$ns" java -jar "$JAR" "$@" --bridge "127.0.0.1:$port"; }
bg_java "$NS_B" listen --count 1 --bridge "127.0.0.1:$((BPORT+1))" > "$WORK/listen.out" 2>&1
LISTEN=$!
PIDS+=($LISTEN)
for _ in $(seq 1 100); do # bob's registration reaches c3, and c3's record the shared registry
  if cli "$NS_A" $((APORT+1)) connect bob > "$WORK/connect.out" 2>&1; then break; fi
  sleep 0.2
done
echo "alice -> bob: $(tr -d '\n' < "$WORK/connect.out")"
cli "$NS_A" $((APORT+1)) send --to bob "hello bob, from alice (c1) through the cluster (c3)" || true
wait "$LISTEN" || true
echo "bob printed: $(cat "$WORK/listen.out")"
echo "c1 status: $(cli "$NS_C" $((CPORTS[0]+1)) status | tr -d ' \n' | grep -o '"cluster":{[^}]*}[^}]*}')"
if [ "$DURATION" = 0 ]; then
  echo "running; logs in $WORK; Ctrl-C stops everything"
  wait
else
  sleep "$DURATION"
fi
