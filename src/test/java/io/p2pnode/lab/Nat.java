package io.p2pnode.lab;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A simulated NAT between an inner and an outer realm, with RFC 4787 mapping and filtering
 * behaviour, optional hairpinning and idle expiry of mappings (refreshed by outbound traffic).
 */
final class Nat {
  final LabNetwork net;
  final String name;
  final InetAddress publicIp;
  final NatBehavior behavior;
  final LabNetwork.Realm outside;
  final LabNetwork.Realm inside;
  private final Map<String, Mapping> byKey = new HashMap<>();
  private final Map<Integer, Mapping> byPort = new HashMap<>();
  private int nextPort = 40_000;
  private boolean rebooted;
  long created;
  long filtered;
  /** Packets that arrived with TTL 1: a router does not forward them (no mapping made, nothing let in). */
  long ttlExpired;

  private static final class Mapping {
    final InetSocketAddress internal;
    final int publicPort;
    final Set<InetAddress> sentToAddr = new HashSet<>();
    final Set<InetSocketAddress> sentTo = new HashSet<>();
    long lastOutbound;

    Mapping(InetSocketAddress internal, int publicPort) {
      this.internal = internal;
      this.publicPort = publicPort;
    }
  }

  Nat(LabNetwork net, String name, InetAddress publicIp, NatBehavior behavior, LabNetwork.Realm outside) {
    this.net = net;
    this.name = name;
    this.publicIp = publicIp;
    this.behavior = behavior;
    this.outside = outside;
    this.inside = net.newRealm(name + "-lan", this);
  }

  private long now() {
    return net.clock.clock().millis();
  }

  private boolean expired(Mapping m) {
    return now() - m.lastOutbound >= behavior.idleTimeoutMs();
  }

  private String key(InetSocketAddress internal, InetSocketAddress dst) {
    return switch (behavior.mapping()) {
      case ENDPOINT_INDEPENDENT -> internal.toString();
      case ADDRESS_DEPENDENT -> internal + ">" + dst.getAddress();
      case ADDRESS_AND_PORT_DEPENDENT -> internal + ">" + dst;
    };
  }

  /** A packet from the inside to {@code dst} (outside address space), with IP TTL {@code ttl} as it arrives here. */
  void outbound(InetSocketAddress src, InetSocketAddress dst, byte[] data, int ttl) {
    if (ttl <= 1) {
      ttlExpired++;
      return;
    }
    if (dst.getAddress().equals(publicIp) && !behavior.hairpin()) {
      filtered++;
      return;
    }
    String k = key(src, dst);
    Mapping m = byKey.get(k);
    if (m != null && expired(m)) {
      byKey.remove(k);
      byPort.remove(m.publicPort);
      m = null;
    }
    if (m == null) {
      // preserve the source port when free (Linux MASQUERADE does), else the next free port
      int port = !rebooted && !byPort.containsKey(src.getPort()) && behavior.mapping() == NatBehavior.Dependence.ENDPOINT_INDEPENDENT
        ? src.getPort() : nextFreePort();
      m = new Mapping(src, port);
      byKey.put(k, m);
      byPort.put(port, m);
      created++;
    }
    m.lastOutbound = now();
    m.sentToAddr.add(dst.getAddress());
    m.sentTo.add(dst);
    InetSocketAddress translated = new InetSocketAddress(publicIp, m.publicPort);
    if (dst.getAddress().equals(publicIp)) {
      inbound(translated, dst, data, ttl - 1); // hairpin: straight back in
    } else {
      net.send(outside, translated, dst, data, ttl - 1);
    }
  }

  /**
   * The router reboots: every mapping is gone and new ones get new public ports (no port
   * preservation any more), so peers see their sessions' packets come from elsewhere.
   */
  void reboot() {
    byKey.clear();
    byPort.clear();
    rebooted = true;
  }

  private int nextFreePort() {
    if (behavior.allocation() == NatBehavior.Allocation.RANDOM) {
      int p;
      do {
        p = 1_024 + net.random.nextInt(65_535 - 1_024 + 1);
      } while (byPort.containsKey(p));
      return p;
    }
    while (byPort.containsKey(nextPort)) nextPort++;
    return nextPort++;
  }

  /** A packet arriving at the outer interface from {@code src}, with IP TTL {@code ttl}. */
  void inbound(InetSocketAddress src, InetSocketAddress dst, byte[] data, int ttl) {
    if (ttl <= 1) { // forwarding would take it to 0: dropped before the NAT lets it in
      ttlExpired++;
      return;
    }
    Mapping m = byPort.get(dst.getPort());
    if (m == null || expired(m)) {
      filtered++;
      return;
    }
    boolean allowed = switch (behavior.filtering()) {
      case ENDPOINT_INDEPENDENT -> true;
      case ADDRESS_DEPENDENT -> m.sentToAddr.contains(src.getAddress());
      case ADDRESS_AND_PORT_DEPENDENT -> m.sentTo.contains(src);
    };
    if (!allowed) {
      filtered++;
      return;
    }
    net.send(inside, src, m.internal, data, ttl - 1);
  }
}
