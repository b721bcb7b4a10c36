#!/usr/bin/env bash
# Benchmarks: p2p-node vs raw Netty epoll UDP, two processes on loopback, in one run (figures and
# p2p/raw ratios), then the heap taken by 10 000 idle sessions. Not a test: numbers depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
java -Xmx1g -cp target/p2p-node.jar:target/test-classes io.p2pnode.bench.Benchmark "$@"
java -Xmx2g -cp target/p2p-node.jar:target/test-classes io.p2pnode.bench.SessionMemory 10000
