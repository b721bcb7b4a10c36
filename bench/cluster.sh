#!/usr/bin/env bash
# Clustered registry benchmark: 3 coordinator processes + N simulated peers (default 100 000)
# against a standalone coordinator in the same run.   bash bench/cluster.sh [PEERS]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
exec java -Xmx1g -cp target/p2p-node.jar:target/test-classes io.p2pnode.bench.ClusterBench "$@"
