package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Receive buffers of a fixed size for the node's UDP sockets, one reused per event loop: a read
 * takes the loop's buffer when nothing but this cache holds it any more (the datagrams of the last
 * read were handled and released), else a new one, which then becomes the loop's buffer.
 *
 * <p>Why: a connected socket reads with UDP GRO into 64 KB, whatever arrives. Taking 64 KB from
 * Netty's pooling allocator and giving it back cost about 1 µs per read here (`perf`: the
 * allocator's magazine, and memory the caches had not seen), on both sides of every request and
 * reply. Reads on a loop follow one another, and the node handles a datagram before the next
 * read, so one buffer per loop serves every socket of that loop; a datagram something still holds
 * (its reference count shows it) is never written over.
 */
public final class ReceiveBuffers implements RecvByteBufAllocator {
  /** Per event-loop thread: the buffer this cache holds one reference to, by read size. */
  private static final FastThreadLocal<java.util.Map<Integer, ByteBuf>> CACHE = new FastThreadLocal<>() {
    @Override
    protected java.util.Map<Integer, ByteBuf> initialValue() {
      return new java.util.HashMap<>(4);
    }

    @Override
    protected void onRemoval(java.util.Map<Integer, ByteBuf> cached) {
      cached.values().forEach(ByteBuf::release);
      cached.clear();
    }
  };

  private final FixedRecvByteBufAllocator fixed;
  private final int bytes;

  /** @param bytes the size of every receive buffer */
  public ReceiveBuffers(int bytes) {
    this.bytes = bytes;
    this.fixed = new FixedRecvByteBufAllocator(bytes);
  }

  @Override
  public Handle newHandle() {
    return new ReusingHandle((ExtendedHandle) fixed.newHandle(), bytes);
  }

  /** The loop's buffer of {@code bytes} if nothing else holds it, else a new one that takes its place. */
  static ByteBuf take(ByteBufAllocator alloc, int bytes) {
    java.util.Map<Integer, ByteBuf> cached = CACHE.get();
    ByteBuf b = cached.get(bytes);
    if (b != null && b.refCnt() == 1) {
      b.clear();
      return b.retain();
    }
    ByteBuf fresh = alloc.ioBuffer(bytes);
    if (b != null) b.release(); // its last holders free it
    cached.put(bytes, fresh.retain());
    return fresh;
  }

  /** Netty's fixed-size handle, but its buffers come from {@link #take}. */
  private static final class ReusingHandle implements ExtendedHandle {
    private final ExtendedHandle delegate;
    private final int bytes;

    ReusingHandle(ExtendedHandle delegate, int bytes) {
      this.delegate = delegate;
      this.bytes = bytes;
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      return take(alloc, bytes);
    }

    @Override
    public int guess() {
      return delegate.guess();
    }

    @Override
    public void reset(io.netty.channel.ChannelConfig config) {
      delegate.reset(config);
    }

    @Override
    public void incMessagesRead(int numMessages) {
      delegate.incMessagesRead(numMessages);
    }

    @Override
    public void lastBytesRead(int bytes) {
      delegate.lastBytesRead(bytes);
    }

    @Override
    public int lastBytesRead() {
      return delegate.lastBytesRead();
    }

    @Override
    public void attemptedBytesRead(int bytes) {
      delegate.attemptedBytesRead(bytes);
    }

    @Override
    public int attemptedBytesRead() {
      return delegate.attemptedBytesRead();
    }

    @Override
    public boolean continueReading() {
      return delegate.continueReading();
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
      return delegate.continueReading(maybeMoreDataSupplier);
    }

    @Override
    public void readComplete() {
      delegate.readComplete();
    }
  }
}
