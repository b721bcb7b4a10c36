package io.p2pnode.transport;

import java.net.Inet4Address;
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
   * For a specific bind address, just that address. For a wildcard bind, the IPv4 address of
   * every interface that is up, loopback excluded (a peer on another host cannot use it), or
   * loopback alone when there is nothing else.
   */
  public static List<InetSocketAddress> of(InetSocketAddress bound) {
    InetAddress a = bound.getAddress();
    if (!a.isAnyLocalAddress()) return List.of(bound);
    List<InetSocketAddress> out = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) continue;
        for (InetAddress ia : Collections.list(nif.getInetAddresses())) {
          if (ia instanceof Inet4Address && out.size() < io.p2pnode.wire.WireBuf.MAX_ENDPOINTS) {
            out.add(new InetSocketAddress(ia, bound.getPort()));
          }
        }
      }
    } catch (SocketException e) {
      // fall through to loopback
    }
    if (out.isEmpty()) out.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort()));
    return List.copyOf(out);
  }
}
