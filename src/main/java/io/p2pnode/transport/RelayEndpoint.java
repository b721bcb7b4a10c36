package io.p2pnode.transport;

import io.p2pnode.config.Endpoints;

import java.net.InetSocketAddress;

/**
 * The far end of a relayed path: frames for {@code peerId} go wrapped in RELAY to the
 * coordinator at this address (over UDP, or over TCP when the coordinator is reached through a
 * {@link TcpEndpoint}), and frames relayed from {@code peerId} by that coordinator arrive with
 * this as their sender. Compare with {@link #same}, not {@code equals}.
 */
public final class RelayEndpoint extends InetSocketAddress {
  private static final long serialVersionUID = 1L;
  private final String peerId;

  /** How the coordinator is reached: its UDP address, or a {@link TcpEndpoint} (relay over TCP). */
  private final InetSocketAddress via;

  public RelayEndpoint(InetSocketAddress coordinator, String peerId) {
    super(Addrs.normalise(coordinator.getAddress()), coordinator.getPort());
    this.peerId = peerId;
    this.via = coordinator instanceof RelayEndpoint r ? r.via : coordinator;
  }

  /** The peer at the far side of the coordinator. */
  public String peerId() {
    return peerId;
  }

  /** The coordinator as an address to send to: a plain UDP address, or its {@link TcpEndpoint}. */
  public InetSocketAddress coordinator() {
    return via instanceof TcpEndpoint ? via : new InetSocketAddress(getAddress(), getPort());
  }

  /**
   * Same endpoint and same kind: {@code InetSocketAddress.equals} is final and would call a relay
   * endpoint equal to a direct path to the coordinator itself.
   */
  public static boolean same(InetSocketAddress a, InetSocketAddress b) {
    if (a == null || b == null) return a == b;
    if (a instanceof RelayEndpoint ra) return b instanceof RelayEndpoint rb && ra.equals(rb) && ra.peerId.equals(rb.peerId);
    if (a instanceof TcpEndpoint || b instanceof TcpEndpoint) return TcpEndpoint.same(a, b); // a TCP connection is not the UDP port of the same number
    return !(b instanceof RelayEndpoint) && a.equals(b);
  }

  @Override
  public String toString() {
    return "relay:" + Endpoints.format(this) + "/" + peerId + (via instanceof TcpEndpoint ? " over tcp" : "");
  }
}
