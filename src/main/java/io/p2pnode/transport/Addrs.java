package io.p2pnode.transport;

import io.p2pnode.wire.WireBuf;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * IP addresses of both families, compared and shown one way. A dual-stack socket (bound to
 * {@code ::}) sees IPv4 peers as IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}) at the
 * system-call level; Netty and the JDK usually hand them over as IPv4 already, but not on every
 * path ({@code Inet6Address.getByAddress} keeps the mapped form), and a mapped address is not
 * {@code equals} to its IPv4 twin. Everything that compares or shows addresses (source matching
 * in the router and sessions, candidate locking, the registry, coordinator observations, JSON,
 * metrics) goes through {@link #normalise}.
 */
public final class Addrs {
  private Addrs() {
  }

  /** {@code ::ffff:a.b.c.d} → {@code a.b.c.d}; every other address as it is. */
  public static InetAddress normalise(InetAddress a) {
    if (!(a instanceof Inet6Address)) return a;
    byte[] b = a.getAddress();
    if (!WireBuf.ipv4Mapped(b)) return a;
    try {
      return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // 4 bytes are always an address
    }
  }

  /**
   * The same endpoint with its address {@linkplain #normalise(InetAddress) normalised}; the
   * object itself when nothing changes (the hot path allocates nothing). An unresolved address,
   * a {@link RelayEndpoint} and a {@link TcpEndpoint} stay as they are (they normalise when made).
   */
  public static InetSocketAddress normalise(InetSocketAddress a) {
    if (a == null || a.getAddress() == null || a.getClass() != InetSocketAddress.class) return a;
    InetAddress n = normalise(a.getAddress());
    return n == a.getAddress() ? a : new InetSocketAddress(n, a.getPort());
  }

  /** The same address without host name nor scope id (an interface's IPv6 address carries its scope: {@code %eth0}). */
  public static InetAddress plain(InetAddress a) {
    try {
      return InetAddress.getByAddress(normalise(a).getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // 4 or 16 bytes are always an address
    }
  }

  /** Whether {@code a} is an IPv6 address (after normalising: a mapped IPv4 address is IPv4). */
  public static boolean isV6(InetSocketAddress a) {
    return a != null && normalise(a.getAddress()) instanceof Inet6Address;
  }

  /**
   * Whether {@code a} is a global unicast IPv6 address (2000::/3, documentation prefix
   * 2001:db8::/32 included, so the lab's hosts count): reachable beyond its link and site, a
   * direct candidate even though the host reports it as its own ("private") address.
   */
  public static boolean isGlobalV6(InetAddress a) {
    a = normalise(a);
    return a instanceof Inet6Address && (a.getAddress()[0] & 0xE0) == 0x20;
  }

  /**
   * Whether a UDP or TCP socket bound to {@code bind} can send to {@code remote}: an IPv4 bind
   * (the wildcard {@code 0.0.0.0} included) reaches IPv4 only; the IPv6 wildcard {@code ::} is
   * dual-stack (Linux' default {@code net.ipv6.bindv6only=0}); a specific IPv6 address reaches
   * IPv6 only.
   */
  public static boolean reaches(InetSocketAddress bind, InetSocketAddress remote) {
    InetAddress local = normalise(bind.getAddress());
    boolean v6 = isV6(remote);
    if (local instanceof Inet4Address) return !v6;
    return local.isAnyLocalAddress() || v6;
  }

  /** The addresses of {@code list} that a socket bound to {@code bind} can send to ({@link #reaches}), normalised. */
  public static List<InetSocketAddress> reachable(InetSocketAddress bind, List<InetSocketAddress> list) {
    List<InetSocketAddress> out = new ArrayList<>(list.size());
    for (InetSocketAddress a : list) if (reaches(bind, a)) out.add(normalise(a));
    return List.copyOf(out);
  }
}
