package io.p2pnode.session;

import io.p2pnode.transport.TcpEndpoint;
import io.vertx.core.Future;

import java.net.InetSocketAddress;

/**
 * TCP for one session: connections from the node's TCP port (the one its listener shares), and
 * notice of their end, both on the session's own thread. {@link SessionVerticle} implements it
 * over the node's {@code transport.TcpTransport}; tests fake it.
 */
public interface TcpPaths {
  /** Connects from the node's TCP port to {@code remote}; fails with a {@code transport.TcpConnectException}. */
  Future<TcpEndpoint> connect(InetSocketAddress remote, long timeoutMs);

  /**
   * How a coordinator is best reached now: its UDP address while this node is registered over
   * UDP, else its current registration connection (which may have been replaced since the
   * session learned of the coordinator).
   */
  InetSocketAddress coordinatorNow(InetSocketAddress coordinator);

  /** An open connection with {@code remote} there already is (e.g. to our coordinator), or {@code null}. */
  TcpEndpoint existing(InetSocketAddress remote);

  /** Runs {@code action} on the session's thread once {@code link} has closed (at once if it has). */
  void onClose(TcpEndpoint link, Runnable action);
}
