package io.p2pnode.transport;

import io.p2pnode.config.Endpoints;

import java.net.InetSocketAddress;

/**
 * Address marker of one TCP connection: the remote address, plus the connection frames to it go
 * over. Frames read from a {@link TcpLink} reach the {@link PacketHandler} with this as their
 * sender, so code above the transport can answer over the same connection. Compare with
 * {@link #same}, not {@code equals}: two connections to one remote address are equal as addresses.
 */
public final class TcpEndpoint extends InetSocketAddress {
  private static final long serialVersionUID = 1L;
  private final transient TcpLink link;

  /**
   * The endpoint of {@code link}, addressed as {@code remote}.
   *
   * @param remote the remote address of the connection
   * @param link   the connection frames to {@code remote} travel over
   */
  public TcpEndpoint(InetSocketAddress remote, TcpLink link) {
    super(Addrs.normalise(remote.getAddress()), remote.getPort());
    this.link = link;
  }

  /** The connection this endpoint stands for. */
  public TcpLink link() {
    return link;
  }

  /**
   * Same connection (identity of the link): {@code InetSocketAddress.equals} is final and compares
   * addresses only.
   *
   * @return true iff both are {@code TcpEndpoint}s of the same link
   */
  public static boolean same(InetSocketAddress a, InetSocketAddress b) {
    return a instanceof TcpEndpoint ta && b instanceof TcpEndpoint tb && ta.link == tb.link;
  }

  /** {@code tcp:host:port}. */
  @Override
  public String toString() {
    return "tcp:" + Endpoints.format(this);
  }
}
