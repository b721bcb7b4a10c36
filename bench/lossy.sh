#!/usr/bin/env bash
# p2p-node against Linux TCP on lossy lab paths (issue #14), in one run (root; uses the NAT lab):
# a tbf bottleneck (default 100 Mbit/s, queue of one RTT), RTT 20 and 100 ms, loss 0, 1 and 3%;
# p2p reliable 64 KB (BBR, NewReno) and 1 KB (BBR) against iperf3 TCP -C bbr and -C cubic; then two
# p2p flows sharing the bottleneck, p2p against CUBIC, and RTT under load through a 100 ms queue.
#
#   bash bench/lossy.sh [MBIT=100] [SECONDS=8] [RTTS=20,100] [LOSSES=0,0.01,0.03] [PARTS=matrix,sharing,rttload]
#   (PARTS matrix,bbr64: p2p 64 KB BBR and TCP BBR only; LOSSY_TRACE=1: the controller every 100 ms on stderr)
#
# Installs iperf3 (and the lab's tools) if missing; raises net.core.rmem_max/wmem_max to 16 MB so
# iperf3 and the nodes get the socket buffers they ask for (restored on exit).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
need=()
command -v iperf3 >/dev/null 2>&1 || need+=(iperf3)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
[ -f /usr/include/libnetfilter_queue/libnetfilter_queue.h ] || need+=(libnetfilter-queue-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
grep -qw bbr /proc/sys/net/ipv4/tcp_available_congestion_control || modprobe tcp_bbr 2>/dev/null || {
  echo "Linux TCP BBR is not available here (net.ipv4.tcp_available_congestion_control)" >&2; exit 1; }
old_r=$(sysctl -n net.core.rmem_max) old_w=$(sysctl -n net.core.wmem_max)
trap 'sysctl -qw net.core.rmem_max=$old_r net.core.wmem_max=$old_w; bash cluster/natlab.sh down >/dev/null 2>&1 || true' EXIT
sysctl -qw net.core.rmem_max=16777216 net.core.wmem_max=16777216
mvn -B -q package -DskipTests
java -cp target/p2p-node.jar:target/test-classes io.p2pnode.bench.LossyBench "$@"
