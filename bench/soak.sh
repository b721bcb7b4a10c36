#!/usr/bin/env bash
# Soak: a coordinator process and three peers under mixed traffic (bursts, request/reply, 16 MiB
# messages, unreliable sends) while peers restart, the direct path between two peers flaps
# (iptables on loopback: run as root) and the coordinator is killed and restarted. Prints a line
# every 10 s and a summary; exit 0 when no delivery invariant broke, no fault was counted and the
# JVM's heap, direct memory, threads and file descriptors stayed flat.
#   bash bench/soak.sh [SECONDS=1800]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
exec java -Xmx1g -cp target/p2p-node.jar:target/test-classes io.p2pnode.soak.Soak "${1:-1800}"
