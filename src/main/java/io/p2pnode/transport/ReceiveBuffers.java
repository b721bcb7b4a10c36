package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
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
public final class ReceiveBuffers extends DefaultMaxMessagesRecvByteBufAllocator {
  /** Per event-loop thread: the buffers this cache holds one reference to, one per read size (a loop has one or two sizes). */
  private static final FastThreadLocal<Slots> CACHE = new FastThreadLocal<>() {
    @Override
    protected Slots initialValue() {
      return new Slots();
    }

    @Override
    protected void onRemoval(Slots slots) {
      slots.releaseAll();
    }
  };

  private final int bytes;

  /** @param bytes the size of every receive buffer */
  public ReceiveBuffers(int bytes) {
    this.bytes = bytes;
  }

  @Override
  public Handle newHandle() {
    return new MaxMessageHandle() { // Netty's fixed-size handle, but its buffers come from take()
      @Override
      public ByteBuf allocate(ByteBufAllocator alloc) {
        return take(alloc, bytes);
      }

      @Override
      public int guess() {
        return bytes;
      }
    };
  }

  /** The loop's buffer of {@code bytes} if nothing else holds it, else a new one that takes its place. */
  static ByteBuf take(ByteBufAllocator alloc, int bytes) {
    Slots slots = CACHE.get();
    int i = slots.indexOf(bytes);
    ByteBuf b = slots.bufs[i];
    if (b != null && b.refCnt() == 1) {
      b.clear();
      return b.retain();
    }
    ByteBuf fresh = alloc.ioBuffer(bytes);
    if (b != null) b.release(); // its last holders free it
    slots.bufs[i] = fresh.retain();
    return fresh;
  }

  /** Buffers by size, searched in a line: no boxed key per read. */
  private static final class Slots {
    int[] sizes = new int[0];
    ByteBuf[] bufs = new ByteBuf[0];

    int indexOf(int bytes) {
      for (int i = 0; i < sizes.length; i++) {
        if (sizes[i] == bytes) return i;
      }
      sizes = java.util.Arrays.copyOf(sizes, sizes.length + 1);
      bufs = java.util.Arrays.copyOf(bufs, bufs.length + 1);
      sizes[sizes.length - 1] = bytes;
      return sizes.length - 1;
    }

    void releaseAll() {
      for (int i = 0; i < bufs.length; i++) {
        if (bufs[i] != null) bufs[i].release();
        bufs[i] = null;
      }
    }
  }
}
