#!/usr/bin/env bash
# Streams benchmark on loopback (three nodes in one JVM): small-message latency p50/p99 on one
# address while another address carries bulk data (a byte stream, then p2p.send 64 KB) against the
# same on an idle session; throughput of p2p.send 64 KB (256 in flight), of a byte stream from
# memory and of a file piped through a stream, with their ratios; iperf3 TCP on loopback for
# scale when iperf3 is installed. Not a test: numbers depend on the machine.
#   bash bench/streams.sh [--seconds 5] [--fileMiB 256] [--samples 2000] [--encrypted]
# JSON lines (one per figure) on stdout, the readable report on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests >&2
java -Xmx1g -cp target/p2p-node.jar:target/test-classes io.p2pnode.bench.StreamBench "$@"
if command -v iperf3 >/dev/null 2>&1; then
  port=$((20000 + RANDOM % 20000))
  iperf3 -s -1 -p "$port" -B 127.0.0.1 >/dev/null 2>&1 &
  server=$!
  sleep 0.5
  mbs=$(iperf3 -c 127.0.0.1 -p "$port" -t 5 -J 2>/dev/null | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8e6, 1))' || echo "")
  wait "$server" 2>/dev/null || true
  if [ -n "$mbs" ]; then
    echo "  iperf3 TCP on loopback (one flow)                          throughput   $mbs MB/s" >&2
    echo "{\"system\":\"iperf3-tcp\",\"bench\":\"streams\",\"metric\":\"throughput\",\"value\":$mbs,\"unit\":\"MB/s\"}"
  fi
else
  echo "  (iperf3 not installed: no TCP figure)" >&2
fi
