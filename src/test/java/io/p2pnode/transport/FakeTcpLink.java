package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A {@link TcpLink} without a socket: counts closes, keeps what was sent, runs close actions once. */
public final class FakeTcpLink implements TcpLink {
  private final TcpEndpoint endpoint;
  private final boolean inbound;
  private final List<Runnable> onClose = new ArrayList<>();
  /** Frames sent on it (copied; the originals are released). */
  public final List<byte[]> sent = new ArrayList<>();
  private boolean claimed;
  private int closes;

  public FakeTcpLink(InetSocketAddress remote, boolean inbound) {
    this.endpoint = new TcpEndpoint(remote, this);
    this.inbound = inbound;
  }

  public TcpEndpoint endpoint() { return endpoint; }
  public boolean inbound() { return inbound; }
  public boolean isOpen() { return closes == 0; }
  public InetSocketAddress localAddress() { return new InetSocketAddress("192.168.1.20", 7700); }
  public void claim() { claimed = true; }
  public boolean claimed() { return claimed; }
  public void onClose(Runnable action) { onClose.add(action); }
  public String closeReason() { return closes == 0 ? null : "closed here"; }

  public void send(ByteBuf frame) {
    try {
      sent.add(io.netty.buffer.ByteBufUtil.getBytes(frame));
    } finally {
      frame.release();
    }
  }

  public void close() {
    if (closes++ == 0) onClose.forEach(Runnable::run);
  }

  /** How often {@link #close} was called. */
  public int closes() {
    return closes;
  }
}
