#!/usr/bin/env bash
# Benchmarks, in one run: raw Netty epoll UDP, the Vert.x clustered event bus and p2p-node, each as
# two processes on loopback, pinned one core each (taskset) and unpinned; throughput with 256 and
# 4 096 in flight and RTT p50/p99 for 64 B, 1 KB and 64 KB; the ratios p2p/event bus and p2p/raw;
# allocation and body copies per message, lost sends, retransmissions. Then the heap taken by
# 10 000 idle sessions (full runs only). Not a test: numbers depend on the machine.
#   bash bench/run.sh [--json] [--quick] [--systems raw,eb,p2p] [--sizes 64,1024,65536]
#                     [--windows 256,4096] [--pin both|pinned|unpinned] [--seconds 3]
# --json prints one JSON object per figure on stdout (DESIGN §5); everything else goes to stderr.
# BENCH_JAVA=/path/to/bin/java runs every measured process on that JVM (default: java on the PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed to pin the processes" >&2; exit 1; }
mvn -B -q package -DskipTests >&2
JAVA=${BENCH_JAVA:-java}
"$JAVA" -Xmx512m -cp target/p2p-node.jar:target/test-classes io.p2pnode.bench.Benchmark "$@"
if [ $# -eq 0 ]; then
  "$JAVA" -Xmx2g -cp target/p2p-node.jar:target/test-classes io.p2pnode.bench.SessionMemory 10000
fi
