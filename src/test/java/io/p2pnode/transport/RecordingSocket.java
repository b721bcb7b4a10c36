package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A {@link PacketSocket} that records what is sent, for unit tests. */
public final class RecordingSocket implements PacketSocket {
  /** One sent datagram. */
  public record Sent(ByteBuf data, InetSocketAddress to) {
  }

  private final InetSocketAddress local;
  public final List<Sent> sent = new ArrayList<>();

  public RecordingSocket(InetSocketAddress local) {
    this.local = local;
  }

  @Override
  public void send(ByteBuf data, InetSocketAddress to) {
    sent.add(new Sent(data, to));
  }

  @Override
  public ByteBufAllocator alloc() {
    return UnpooledByteBufAllocator.DEFAULT;
  }

  @Override
  public InetSocketAddress localAddress() {
    return local;
  }

  @Override
  public void close() {
  }

  /** Removes and returns everything sent so far. */
  public List<Sent> drain() {
    List<Sent> out = new ArrayList<>(sent);
    sent.clear();
    return out;
  }
}
