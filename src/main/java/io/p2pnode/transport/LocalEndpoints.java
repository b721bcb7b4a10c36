package io.p2pnode.transport;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The private endpoints a node reports to coordinators. */
public final class LocalEndpoints {
  private LocalEndpoints() {
  }

  /**
   * For a specific bind address, just that address. For a wildcard bind, the address of every
   * interface that is up, loopback excluded (a peer on another host cannot use it), or loopback
   * alone when there is nothing else: IPv4 addresses for {@code 0.0.0.0}; for the dual-stack
   * {@code ::} also IPv6 ones, global (2000::/3) and unique-local (fc00::/7), never link-local
   * (they need a scope) nor deprecated site-local. IPv6 addresses come first (a peer punches
   * them first), at most {@link io.p2pnode.wire.WireBuf#MAX_ENDPOINTS} in all.
   */
  public static List<InetSocketAddress> of(InetSocketAddress bound) {
    InetAddress a = Addrs.normalise(bound.getAddress());
    if (!a.isAnyLocalAddress()) return List.of(new InetSocketAddress(a, bound.getPort()));
    boolean dualStack = a instanceof Inet6Address;
    List<InetSocketAddress> v6 = new ArrayList<>();
    List<InetSocketAddress> v4 = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) continue;
        for (InetAddress ia : Collections.list(nif.getInetAddresses())) {
          if (ia instanceof Inet4Address) {
            v4.add(new InetSocketAddress(ia, bound.getPort()));
          } else if (dualStack && usableV6(ia)) {
            // without the scope suffix: a global address needs none, and the wire carries none
            v6.add(new InetSocketAddress(Addrs.plain(ia), bound.getPort()));
          }
        }
      }
    } catch (SocketException e) {
      // fall through to loopback
    }
    List<InetSocketAddress> out = new ArrayList<>(v6);
    out.addAll(v4);
    if (out.isEmpty()) out.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort()));
    return List.copyOf(out.subList(0, Math.min(out.size(), io.p2pnode.wire.WireBuf.MAX_ENDPOINTS)));
  }

  /** A global or unique-local IPv6 address: one a peer elsewhere may reach (no link-local, loopback, site-local, multicast). */
  static boolean usableV6(InetAddress a) {
    return a instanceof Inet6Address && !a.isLinkLocalAddress() && !a.isLoopbackAddress() && !a.isSiteLocalAddress()
      && !a.isMulticastAddress() && !a.isAnyLocalAddress() && (Addrs.isGlobalV6(a) || (a.getAddress()[0] & 0xFE) == 0xFC);
  }
}
