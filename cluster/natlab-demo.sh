#!/usr/bin/env bash
# NAT lab demo (root): for each topology, a coordinator and two peers (alice, bob) run as real
# processes in network namespaces behind iptables NAT routers; alice connects to bob and sends
# him a message, which bob's `listen` prints. Prints one line per scenario. In ipv6 and ipv6-dual the
# routers are stateful IPv6 firewalls (no NAT for IPv6) and every node listens on "::" (both families).
#
#   sudo bash cluster/natlab-demo.sh [SCENARIO...]     (default: all but timeout20)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/p2p-node.jar ] || mvn -B -q package -DskipTests
JAR=$PWD/target/p2p-node.jar
LAB=cluster/natlab.sh
WORK=$(mktemp -d)
trap 'bash $LAB down >/dev/null; rm -rf "$WORK"' EXIT

# configs for SCENARIO: the IPv6 ones listen on both families ("::") and register over IPv6 (ipv6-dual: and IPv4)
configs() {
  local host=0.0.0.0 rv='"203.0.113.100:7700"'
  case "$1" in
    ipv6) host=::; rv='"[2001:db8::100]:7700"' ;;
    ipv6-dual) host=::; rv='"203.0.113.100:7700","[2001:db8::100]:7700"' ;;
  esac
  cat > "$WORK/coord.json" <<JSON
{"peerId":"coord","listen":{"host":"$host","port":7700},"bridge":{"port":7701}}
JSON
  for p in alice bob; do
    cat > "$WORK/$p.json" <<JSON
{"peerId":"$p","listen":{"host":"$host","port":7700},"coordinator":{"enabled":false},
 "rendezvous":[$rv],"bridge":{"port":7701}}
JSON
  done
}

in_ns() { local n=$1; shift; ip netns exec "p2plab-$n" java -jar "$JAR" "$@"; }
field() { sed -n "s/.*\"$1\" : \"\{0,1\}\([^\",]*\)\"\{0,1\}.*/\1/p" | head -1; }

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(same-nat cone double-nat public one-symmetric double-nat-symmetric both-symmetric ipv6 ipv6-dual)
printf '%-21s %-22s %-22s %-11s %-22s %s\n' scenario "alice's NAT" "bob's NAT" path "bob's address" "bob printed"
for sc in "${scenarios[@]}"; do
  configs "$sc"
  bash $LAB up "$sc" >/dev/null
  # in subshells, so that tearing the lab down (which kills them) does not print job notices
  for n in coord alice bob; do
    (ip netns exec "p2plab-$n" java -jar "$JAR" --conf "$WORK/$n.json" >"$WORK/$n.log" 2>&1 &)
  done
  for n in alice bob; do # wait until registered and the NAT type is known
    for _ in $(seq 60); do
      t=$(in_ns $n status 2>/dev/null | field natType || true)
      [ -n "$t" ] && [ "$t" != unknown ] && break
      sleep 0.5
    done
  done
  anat=$(in_ns alice status | field natType); bnat=$(in_ns bob status | field natType)
  connected=$(in_ns alice connect bob)
  path=$(echo "$connected" | field path); remote=$(echo "$connected" | field remote)
  in_ns bob listen --count 1 >"$WORK/listen.out" 2>/dev/null &
  lp=$!
  for _ in $(seq 20); do in_ns alice send --to bob "hello bob, via $path" >/dev/null 2>&1 && break; sleep 0.3; done
  wait $lp || true
  printf '%-21s %-22s %-22s %-11s %-22s %s\n' "$sc" "$anat" "$bnat" "$path" "$remote" "$(cat "$WORK/listen.out")"
  bash $LAB down >/dev/null
done
