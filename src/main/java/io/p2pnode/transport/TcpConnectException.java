package io.p2pnode.transport;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.unix.Errors;
import io.p2pnode.config.Endpoints;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;

/** Why a TCP connect failed, classified so callers can pick a retry strategy. */
public final class TcpConnectException extends IOException {
  private static final long serialVersionUID = 1L;
  // Linux errno values Netty's Errors class has no constant for
  private static final int EADDRINUSE = -98;
  private static final int EADDRNOTAVAIL = -99;
  private static final int ETIMEDOUT = -110;

  /** Class of failure. */
  public enum Kind {
    /** The remote answered with RST: nothing listens there (or a firewall rejects). */
    REFUSED,
    /** EHOSTUNREACH / ENETUNREACH: no route, or an ICMP unreachable came back. */
    UNREACHABLE,
    /** No answer within the connect timeout. */
    TIMEOUT,
    /**
     * EADDRINUSE / EADDRNOTAVAIL: the 4-tuple already exists, e.g. the peer's SYN was accepted
     * first (simultaneous open) and that connection is the one to use.
     */
    IN_USE,
    /** Anything else. */
    OTHER
  }

  private final Kind kind;
  private final InetSocketAddress remote;

  /**
   * @param kind    class of failure
   * @param remote  the address the connect went to
   * @param message what happened
   * @param cause   the underlying exception, may be null
   */
  public TcpConnectException(Kind kind, InetSocketAddress remote, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.remote = remote;
  }

  /** Class of failure. */
  public Kind kind() {
    return kind;
  }

  /** The address the connect went to. */
  public InetSocketAddress remote() {
    return remote;
  }

  /** A classified exception for a connect to {@code remote} that failed with {@code cause}. */
  static TcpConnectException of(InetSocketAddress remote, Throwable cause) {
    Kind kind = classify(cause);
    return new TcpConnectException(kind, remote, "TCP connect to " + Endpoints.format(remote) + " failed ("
      + kind + "): " + cause.getMessage(), cause);
  }

  /** The kind of a Netty/JDK connect or bind exception, looking through its cause chain. */
  static Kind classify(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TcpConnectException e) return e.kind;
      if (t instanceof ConnectTimeoutException || t instanceof SocketTimeoutException) return Kind.TIMEOUT;
      if (t instanceof Errors.NativeIoException n) {
        Kind k = ofErrno(n.expectedErr());
        if (k != null) return k;
      }
      if (t instanceof BindException) return Kind.IN_USE;
      if (t instanceof NoRouteToHostException) return Kind.UNREACHABLE;
      Kind k = ofMessage(t.getMessage());
      if (k != null) return k;
    }
    return Kind.OTHER;
  }

  private static Kind ofErrno(int err) {
    if (err == Errors.ERROR_ECONNREFUSED_NEGATIVE) return Kind.REFUSED;
    if (err == Errors.ERROR_EHOSTUNREACH_NEGATIVE || err == Errors.ERROR_ENETUNREACH_NEGATIVE) return Kind.UNREACHABLE;
    if (err == EADDRINUSE || err == EADDRNOTAVAIL) return Kind.IN_USE;
    if (err == ETIMEDOUT) return Kind.TIMEOUT;
    return null;
  }

  private static Kind ofMessage(String m) {
    if (m == null) return null;
    if (m.contains("Connection refused")) return Kind.REFUSED;
    if (m.contains("No route to host") || m.contains("Network is unreachable")) return Kind.UNREACHABLE;
    if (m.contains("Address already in use") || m.contains("Cannot assign requested address")) return Kind.IN_USE;
    if (m.contains("timed out")) return Kind.TIMEOUT;
    return null;
  }
}
