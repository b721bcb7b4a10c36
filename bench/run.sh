#!/usr/bin/env bash
# Benchmark: p2p-node vs raw Netty epoll UDP, two processes on loopback, in one run.
# Prints figures and p2p/raw ratios. Not a test: numbers depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
exec java -Xmx1g -cp target/p2p-node.jar:target/test-classes io.p2pnode.bench.Benchmark "$@"
