#!/usr/bin/env bash
# Real NAT lab: Linux network namespaces, veth pairs and iptables NAT routers.
#
#   bash cluster/natlab.sh up SCENARIO     build the topology of SCENARIO (tears down an old one first)
#   bash cluster/natlab.sh down            remove every namespace of the lab
#   bash cluster/natlab.sh hosts           list the lab's namespaces
#   bash cluster/natlab.sh impair NS LOSS  drop LOSS (0..1) of the packets forwarded by router NS
#   bash cluster/natlab.sh duplicate NS P HOST
#                                          copy a fraction P of the packets router NS forwards from its WAN to
#                                          HOST on its LAN (iptables TEE): duplicates, delivered out of turn
#   bash cluster/natlab.sh blockudp NS...     router(s) NS drop every UDP packet they would forward (networks that
#                                          block UDP: peers behind them must register, punch and relay over TCP)
#   bash cluster/natlab.sh unblockudp NS...   undo blockudp
#   bash cluster/natlab.sh delay NS MS [JITTER_MS]
#                                          hold every packet router NS forwards for MS (+ up to JITTER_MS,
#                                          which reorders): iptables NFQUEUE + cluster/nfq-delay.c, since this
#                                          kernel has no netem (needs gcc and libnetfilter-queue-dev)
#   bash cluster/natlab.sh bottleneck NS MBIT QUEUE_MS [IF]
#                                          a bottleneck on router NS's egress IF (default wan): tbf at MBIT
#                                          Mbit/s with a finite queue of QUEUE_MS of data (tail drop)
#
# Scenarios (peer namespaces are p2plab-alice and p2plab-bob; the coordinator is p2plab-coord at 203.0.113.100):
#   same-nat        alice and bob on one LAN (192.168.1.0/24) behind one cone NAT
#   cone            alice behind cone NAT A, bob behind cone NAT B
#   double-nat      alice behind a home NAT behind a carrier NAT (100.64.0.0/24); bob behind cone NAT B
#   public          alice behind cone NAT A; bob directly on the internet (203.0.113.20)
#   one-symmetric   alice behind a symmetric NAT (MASQUERADE --random-fully); bob behind cone NAT B
#   both-symmetric  both behind symmetric NATs
#   double-nat-symmetric  alice behind a home NAT behind a carrier NAT (both cone); bob behind a symmetric NAT
#   timeout20       as cone, with NAT UDP timeouts of 20 s (conntrack, per namespace)
#   ipv6            IPv6 only, no NAT: alice (2001:db8:a::10) and bob (2001:db8:b::10) each behind a stateful
#                   ip6tables firewall (replies pass, NEW from the WAN dropped); the coordinator is dual-stack
#                   (203.0.113.100 and 2001:db8::100)
#   ipv6-dual       both families: the ipv6 firewalls are also cone NATs for IPv4 (192.168.1.10 behind
#                   203.0.113.1 / .2), so a pair can go direct over either
#
# "Internet" is one bridge in namespace p2plab-inet (203.0.113.0/24, and 2001:db8::/64 in the IPv6
# scenarios, which turn IPv6 on only in their namespaces, without duplicate address detection). Every NAT router drops
# unsolicited inbound packets (conntrack state NEW on the WAN side), as home routers do. All
# traffic stays inside these namespaces. Needs root, iproute2 and iptables.
set -euo pipefail

P=p2plab
INET=$P-inet

ns() { ip netns exec "$@"; }

down() {
  for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$P-" || true); do
    ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$n" 2>/dev/null || true
  done
}

newns() {
  ip netns add "$1"
  ns "$1" ip link set lo up
  ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true
}

# attach NS to the bridge BR that lives in namespace BRNS, as interface IF with address ADDR
attach() {
  local nsname=$1 ifname=$2 addr=$3 brns=$4 br=$5
  local peer="v${RANDOM}${RANDOM}"
  ip link add "$ifname" netns "$nsname" type veth peer name "$peer" netns "$brns"
  ns "$brns" ip link set "$peer" master "$br" up
  ns "$nsname" ip addr add "$addr" dev "$ifname"
  ns "$nsname" ip link set "$ifname" up
}

# IPv6 on in namespace NS (newns turns it off) with no duplicate address detection: addresses work at once
v6on() {
  ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ns "$1" sysctl -qw net.ipv6.conf.lo.disable_ipv6=0
}

# an IPv6 router NAME without NAT, a stateful firewall as home routers have: WAN6 on the internet bridge, LAN
# bridge with gateway LAN6; replies to what the LAN sent pass, anything NEW from the WAN is dropped. With WAN4
# and LAN4 it is also an IPv4 cone NAT (router above): dual stack.
firewall6() {
  local name=$1 wan6=$2 lan6=$3 wan4=${4:-} lan4=${5:-}
  if [ -n "$wan4" ]; then
    router "$name" "$wan4" "$INET" br0 "$lan4" cone ""
    v6on "$name"
    ns "$name" ip -6 addr add "$wan6" dev wan nodad
  else
    newns "$name"
    v6on "$name"
    attach "$name" wan "$wan6" "$INET" br0
    bridge_in "$name" lan
  fi
  ns "$name" ip -6 addr add "$lan6" dev lan nodad
  ns "$name" sysctl -qw net.ipv6.conf.all.forwarding=1
  ns "$name" ip6tables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  ns "$name" ip6tables -A FORWARD -i lan -o wan -j ACCEPT
  ns "$name" ip6tables -A FORWARD -i wan -j DROP
  ns "$name" ip6tables -A INPUT -i wan -p udp -m conntrack --ctstate NEW -j DROP
}

# HOST behind firewall6 ROUTER: IPv6 ADDR6 (gateway GW6); with ADDR4 and GW4 also IPv4 behind its NAT
host6_behind() {
  local name=$1 addr6=$2 router=$3 gw6=$4 addr4=${5:-} gw4=${6:-}
  newns "$name"
  v6on "$name"
  attach "$name" eth0 "$addr6" "$router" lan
  ns "$name" ip -6 route add default via "$gw6"
  if [ -n "$addr4" ]; then
    ns "$name" ip addr add "$addr4" dev eth0
    ns "$name" ip route add default via "$gw4"
  fi
}

# the IPv6 scenarios' internet: the coordinator gets 2001:db8::100 too; routes to the two LANs
internet6() {
  v6on "$INET"
  v6on "$P-coord"
  ns "$P-coord" ip -6 addr add 2001:db8::100/64 dev eth0 nodad
  local v4a="" v4b="" lan4=""
  if [ "$1" = dual ]; then v4a=203.0.113.1/24; v4b=203.0.113.2/24; lan4=192.168.1.1/24; fi
  firewall6 $P-fwa 2001:db8::1/64 2001:db8:a::1/64 $v4a $lan4
  firewall6 $P-fwb 2001:db8::2/64 2001:db8:b::1/64 $v4b $lan4
  ns $P-coord ip -6 route add 2001:db8:a::/64 via 2001:db8::1
  ns $P-coord ip -6 route add 2001:db8:b::/64 via 2001:db8::2
  ns $P-fwa ip -6 route add 2001:db8:b::/64 via 2001:db8::2
  ns $P-fwb ip -6 route add 2001:db8:a::/64 via 2001:db8::1
  if [ "$1" = dual ]; then
    host6_behind $P-alice 2001:db8:a::10/64 $P-fwa 2001:db8:a::1 192.168.1.10/24 192.168.1.1
    host6_behind $P-bob 2001:db8:b::10/64 $P-fwb 2001:db8:b::1 192.168.1.10/24 192.168.1.1
  else
    host6_behind $P-alice 2001:db8:a::10/64 $P-fwa 2001:db8:a::1
    host6_behind $P-bob 2001:db8:b::10/64 $P-fwb 2001:db8:b::1
  fi
}

bridge_in() { # NS BR
  ns "$1" ip link add "$2" type bridge
  ns "$1" ip link set "$2" up
}

# a NAT router: NAME, WAN address/prefix on bridge (BRNS,BR), LAN gateway address/prefix, mode (cone|symmetric), upstream gateway
router() {
  local name=$1 wan=$2 brns=$3 br=$4 lan=$5 mode=$6 gw=$7
  newns "$name"
  attach "$name" wan "$wan" "$brns" "$br"
  bridge_in "$name" lan
  ns "$name" ip addr add "$lan" dev lan
  ns "$name" sysctl -qw net.ipv4.ip_forward=1
  [ -n "$gw" ] && ns "$name" ip route add default via "$gw"
  local random=""
  [ "$mode" = symmetric ] && random="--random-fully"
  ns "$name" iptables -t nat -A POSTROUTING -o wan -j MASQUERADE $random
  # no unsolicited inbound: an early punch must not create state that re-maps the host's port
  ns "$name" iptables -A FORWARD -i wan -m conntrack --ctstate NEW -j DROP
  ns "$name" iptables -A INPUT -i wan -m conntrack --ctstate NEW -j DROP
}

host_behind() { # NS ADDR/PREFIX ROUTER GATEWAY
  newns "$1"
  attach "$1" eth0 "$2" "$3" lan
  ns "$1" ip route add default via "$4"
}

internet() {
  newns "$INET"
  bridge_in "$INET" br0
  newns "$P-coord"
  attach "$P-coord" eth0 203.0.113.100/24 "$INET" br0
}

up() {
  local scenario=$1
  down
  internet
  case "$scenario" in
    same-nat)
      router $P-nata 203.0.113.1/24 "$INET" br0 192.168.1.1/24 cone ""
      host_behind $P-alice 192.168.1.10/24 $P-nata 192.168.1.1
      host_behind $P-bob 192.168.1.11/24 $P-nata 192.168.1.1
      ;;
    cone|timeout20)
      router $P-nata 203.0.113.1/24 "$INET" br0 192.168.1.1/24 cone ""
      router $P-natb 203.0.113.2/24 "$INET" br0 192.168.1.1/24 cone ""
      host_behind $P-alice 192.168.1.10/24 $P-nata 192.168.1.1
      host_behind $P-bob 192.168.1.10/24 $P-natb 192.168.1.1
      if [ "$scenario" = timeout20 ]; then
        for r in $P-nata $P-natb; do
          ns $r sysctl -qw net.netfilter.nf_conntrack_udp_timeout=20 net.netfilter.nf_conntrack_udp_timeout_stream=20
        done
      fi
      ;;
    double-nat)
      router $P-cgn 203.0.113.50/24 "$INET" br0 100.64.0.1/24 cone ""
      router $P-home 100.64.0.2/24 $P-cgn lan 192.168.1.1/24 cone 100.64.0.1
      host_behind $P-alice 192.168.1.10/24 $P-home 192.168.1.1
      router $P-natb 203.0.113.2/24 "$INET" br0 192.168.1.1/24 cone ""
      host_behind $P-bob 192.168.1.10/24 $P-natb 192.168.1.1
      ;;
    double-nat-symmetric)
      router $P-cgn 203.0.113.50/24 "$INET" br0 100.64.0.1/24 cone ""
      router $P-home 100.64.0.2/24 $P-cgn lan 192.168.1.1/24 cone 100.64.0.1
      host_behind $P-alice 192.168.1.10/24 $P-home 192.168.1.1
      router $P-natb 203.0.113.2/24 "$INET" br0 192.168.1.1/24 symmetric ""
      host_behind $P-bob 192.168.1.10/24 $P-natb 192.168.1.1
      ;;
    public)
      router $P-nata 203.0.113.1/24 "$INET" br0 192.168.1.1/24 cone ""
      host_behind $P-alice 192.168.1.10/24 $P-nata 192.168.1.1
      newns $P-bob
      attach $P-bob eth0 203.0.113.20/24 "$INET" br0
      ;;
    one-symmetric)
      router $P-nata 203.0.113.1/24 "$INET" br0 192.168.1.1/24 symmetric ""
      router $P-natb 203.0.113.2/24 "$INET" br0 192.168.1.1/24 cone ""
      host_behind $P-alice 192.168.1.10/24 $P-nata 192.168.1.1
      host_behind $P-bob 192.168.1.10/24 $P-natb 192.168.1.1
      ;;
    both-symmetric)
      router $P-nata 203.0.113.1/24 "$INET" br0 192.168.1.1/24 symmetric ""
      router $P-natb 203.0.113.2/24 "$INET" br0 192.168.1.1/24 symmetric ""
      host_behind $P-alice 192.168.1.10/24 $P-nata 192.168.1.1
      host_behind $P-bob 192.168.1.10/24 $P-natb 192.168.1.1
      ;;
    ipv6) internet6 v6only ;;
    ipv6-dual) internet6 dual ;;
    *) echo "unknown scenario: $scenario" >&2; exit 2 ;;
  esac
  echo "natlab: $scenario up"
}

impair() { # ROUTER-NS LOSS: random loss on everything the router forwards
  ns "$1" iptables -I FORWARD -m statistic --mode random --probability "$2" -j DROP
}

blockudp() { # ROUTER-NS...: no UDP through these routers, either way
  for r in "$@"; do
    ns "$r" iptables -I FORWARD -p udp -j DROP
  done
}

unblockudp() { # ROUTER-NS...
  for r in "$@"; do
    ns "$r" iptables -D FORWARD -p udp -j DROP
  done
}

duplicate() { # ROUTER-NS P HOST
  ns "$1" iptables -t mangle -A FORWARD -i wan -m statistic --mode random --probability "$2" -j TEE --gateway "$3"
}

DELAYER=${TMPDIR:-/tmp}/p2plab-nfq-delay

delay() { # ROUTER-NS MS [JITTER]: queue after the NEW-inbound drop (an accept verdict skips the rest of the chain)
  local here
  here=$(cd "$(dirname "$0")" && pwd)
  if [ ! -x "$DELAYER" ] || [ "$here/nfq-delay.c" -nt "$DELAYER" ]; then
    gcc -O2 -o "$DELAYER" "$here/nfq-delay.c" -lnetfilter_queue -lnfnetlink
  fi
  ns "$1" iptables -A FORWARD -j NFQUEUE --queue-num 0
  ns "$1" "$DELAYER" 0 "$2" "${3:-0}" > /dev/null 2>&1 &
  disown
}

bottleneck() { # ROUTER-NS MBIT QUEUE_MS [IF]: tbf = rate + finite queue (no netem/fq/cake on this kernel)
  local r=$1 mbit=$2 qms=$3 dev=${4:-wan}
  local limit=$(( mbit * 1000000 / 8 * qms / 1000 ))
  [ "$limit" -lt 16000 ] && limit=16000
  # burst: 1 ms of data at the rate, at least a few full-size packets (timer granularity)
  local burst=$(( mbit * 1000000 / 8 / 1000 ))
  [ "$burst" -lt 6000 ] && burst=6000
  ns "$r" tc qdisc replace dev "$dev" root tbf rate "${mbit}mbit" burst "$burst" limit "$limit"
  # segmentation offloads would hand tbf 64 KB super-packets: see the wire's packets
  ns "$r" ethtool -K "$dev" tso off gso off gro off 2>/dev/null || true
}

cmd=${1:-}
case "$cmd" in
  up) up "${2:?scenario}" ;;
  down) down; echo "natlab: down" ;;
  hosts) ip netns list | grep "^$P-" || true ;;
  impair) impair "${2:?router namespace}" "${3:?loss 0..1}" ;;
  delay) delay "${2:?router namespace}" "${3:?ms}" "${4:-0}" ;;
  blockudp) shift; blockudp "${@:?router namespace}" ;;
  unblockudp) shift; unblockudp "${@:?router namespace}" ;;
  bottleneck) bottleneck "${2:?router namespace}" "${3:?Mbit/s}" "${4:?queue ms}" "${5:-wan}" ;;
  duplicate) duplicate "${2:?router namespace}" "${3:?fraction 0..1}" "${4:?lan host}" ;;
  *) sed -n '2,39p' "$0"; exit 2 ;;
esac
