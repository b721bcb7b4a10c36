#!/usr/bin/env bash
# Benchmark in the real NAT lab (root): time from p2p.connect to the first delivered message
# between two peers behind cone NATs, every NAT router delaying packets by D ms, against the
# lower bound the delays impose.   bash bench/natlab.sh [D_MS=20] [TRIALS=5]
# TCP against UDP (connect time; RTT and throughput over direct-tcp and direct):
#                                   bash bench/natlab.sh tcp [D_MS=20] [TRIALS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
exec java -cp target/p2p-node.jar:target/test-classes io.p2pnode.bench.NatLabBench "$@"
