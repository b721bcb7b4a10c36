package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/**
 * One TCP connection carrying length-prefixed frames, as code above the transport sees it
 * ({@link TcpTransport}'s connections implement it; tests fake it). Thread-safe.
 */
public interface TcpLink {
  /** The remote address, marked as this connection: frames from it arrive with this as sender. */
  TcpEndpoint endpoint();

  /** Whether our listener accepted it (true) or we connected (false). */
  boolean inbound();

  /** Whether it is open (not closing, not closed). */
  boolean isOpen();

  /** The local address of the connection. */
  InetSocketAddress localAddress();

  /**
   * Sends one frame (2-byte length prefix on the wire); takes ownership of {@code frame}. A closed
   * link or an oversize frame: released and counted, never thrown.
   */
  void send(ByteBuf frame);

  /** An owner (a session, a coordinator's registration) took this link: the unclaimed timeout no longer closes it. */
  void claim();

  /** Whether {@link #claim} was called. */
  boolean claimed();

  /** Runs {@code action} once when the link has closed (at once if it has), on the link's event loop. */
  void onClose(Runnable action);

  /**
   * Graceful close, exactly once however often called: what was written is flushed and (within a
   * bound) acknowledged by the peer before the connection ends with an RST, so no TIME_WAIT stays.
   */
  void close();

  /** Why it closed, {@code null} while open. */
  String closeReason();
}
