package io.p2pnode.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.BundleCodec;
import io.p2pnode.wire.SessionCodec;
import io.p2pnode.wire.WireException;
import io.vertx.core.impl.buffer.VertxByteBufAllocator;
import io.vertx.core.internal.buffer.BufferInternal;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * The receiving half of a session's reliability: records which packets arrived and acknowledges
 * them (at once after two packets or a gap, else within {@link ReliableSender#MAX_ACK_DELAY_MS}),
 * reassembles fragmented messages within per-peer and per-node byte budgets, drops duplicates,
 * and hands messages over in order per stream ({@link StreamOrder}). The receive window it advertises only moves as messages are
 * handed over, so a consumer that stops taking them stops the sender. Single-threaded.
 */
final class ReliableReceiver {
  /** Ranges of received packet numbers kept for acknowledgements. */
  private final TreeMap<Long, Long> received = new TreeMap<>();
  /** Messages being reassembled: reliable ones by id, unreliable ones by minus their id (a sequence of their own). */
  private final Map<Long, Partial> partial = new HashMap<>();
  /** Complete reliable messages waiting for their turn in their stream, and the window's floor. */
  private final StreamOrder order = new StreamOrder();
  private final Scheduler scheduler;
  private final Counters counters;
  private final long windowMessages;
  private final long peerBudgetBytes;
  private final AtomicLong nodeBytes;
  private final long nodeBudgetBytes;
  private final int maxMessageBytes;
  private final Runnable ackNeeded;
  private long largest = -1;
  private long largestAtNanos;
  private int unacked;
  private boolean gap;
  private long ackTimer = -1;
  /** Packets up to here need no acknowledging again: the peer has an ACK of them ({@link #ackAcknowledged}). */
  private long ackFloor = -1;
  /** A packet that asks for acknowledgement arrived since the last ACK was written. */
  private boolean news;
  private long ackBytesWritten;
  private long partialBytes;

  /**
   * A message being reassembled, straight into one array: every chunk but the last has the
   * message's chunk size, so a chunk's place is {@code index × chunkSize}. The array is allocated
   * (and its size reserved against the budgets) when the first chunk that tells the size arrives;
   * a last chunk that comes before it waits on its own.
   */
  private static final class Partial {
    final int count;
    final boolean[] got;
    int have;
    int chunkSize = -1;
    byte[] data;
    /**
     * Split instead of {@link #data} when the first fragment came first and shows a {@code Buffer}
     * body: the bytes up to the body's type byte, and the body's bytes in the buffer the application
     * gets, so they are copied once.
     */
    byte[] head;
    ByteBuf body;
    /** The last chunk, while the chunk size is not known yet. */
    byte[] last;
    int lastLength = -1;
    /** Bytes held for this message (counted against the reassembly budgets). */
    long reserved;

    Partial(int count) {
      this.count = count;
      this.got = new boolean[count];
    }

    /** The smallest the whole message can be, given this chunk (a last chunk not seen yet has at least a byte). */
    long leastTotal(int index, int n) {
      if (index == count - 1) return chunkSize >= 0 ? (long) (count - 1) * chunkSize + n : n + (count - 1);
      return (long) (count - 1) * n + (lastLength >= 0 ? lastLength : 1);
    }

    /** Bytes this chunk makes the message hold beyond what it holds now. */
    long need(int index, int n) {
      if (data != null || body != null) return 0;
      if (index == count - 1) return n;
      return (long) (count - 1) * n + (lastLength >= 0 ? lastLength : n) - reserved;
    }

    /** Whether {@code n} bytes at {@code index} agree with the chunk size the message has shown. */
    boolean fits(int index, int n) {
      if (index == count - 1) return n > 0 && (chunkSize < 0 || n <= chunkSize);
      return n > 0 && (chunkSize < 0 ? lastLength <= n : n == chunkSize);
    }

    void put(int index, ByteBuf chunk, int n, long need) {
      reserved += need;
      if (index == count - 1) lastLength = n;
      if (data == null && body == null && index == count - 1) {
        last = new byte[n];
        chunk.getBytes(chunk.readerIndex(), last);
      } else {
        if (data == null && body == null) {
          chunkSize = n;
          int upper = (count - 1) * n + (lastLength >= 0 ? lastLength : n);
          int bodyAt = index == 0 ? SessionCodec.bufferBodyOffset(chunk) : -1;
          if (bodyAt > 0 && bodyAt < n) {
            head = new byte[bodyAt];
            body = VertxByteBufAllocator.DEFAULT.heapBuffer(upper - bodyAt, Integer.MAX_VALUE); // grows like any Vert.x Buffer
          } else {
            data = new byte[upper];
          }
          if (last != null) copy(count - 1, Unpooled.wrappedBuffer(last), lastLength);
          last = null;
        }
        copy(index, chunk, n);
      }
      got[index] = true;
      have++;
    }

    /** Puts {@code n} bytes of chunk {@code index} where they belong in the message. */
    private void copy(int index, ByteBuf chunk, int n) {
      int at = index * chunkSize;
      int from = chunk.readerIndex();
      if (data != null) {
        chunk.getBytes(from, data, at, n);
        return;
      }
      int inHead = Math.max(0, Math.min(n, head.length - at));
      if (inHead > 0) chunk.getBytes(from, head, at, inHead);
      if (n > inHead) body.setBytes(at + inHead - head.length, chunk, from + inHead, n - inHead);
    }

    /** The whole message, once every chunk arrived (not split). */
    ByteBuf whole() {
      return Unpooled.wrappedBuffer(data, 0, total());
    }

    /** The body's bytes of a split message, once every chunk arrived. */
    io.vertx.core.buffer.Buffer body() {
      return BufferInternal.buffer(body.writerIndex(total() - head.length));
    }

    private int total() {
      return (count - 1) * chunkSize + lastLength;
    }
  }

  /**
   * @param ackNeeded called when an ACK should leave without waiting for data to carry it
   * @param nodeBytes reassembly bytes held by all sessions of the node, bounded by {@code nodeBudgetBytes}
   */
  ReliableReceiver(Scheduler scheduler, Counters counters, long windowMessages, long peerBudgetBytes, AtomicLong nodeBytes,
                   long nodeBudgetBytes, int maxMessageBytes, Runnable ackNeeded) {
    this.scheduler = scheduler;
    this.counters = counters;
    this.windowMessages = windowMessages;
    this.peerBudgetBytes = peerBudgetBytes;
    this.nodeBytes = nodeBytes;
    this.nodeBudgetBytes = nodeBudgetBytes;
    this.maxMessageBytes = maxMessageBytes;
    this.ackNeeded = ackNeeded;
  }

  // ---------------------------------------------------------------- acknowledgements

  /** A packet arrived; {@code ackEliciting} when it carried a fragment or a result. */
  void onPacket(long pn, boolean ackEliciting) {
    if (pn < largest) gap = true;
    if (pn > largest) {
      if (largest >= 0 && pn > largest + 1) gap = true;
      largest = pn;
      largestAtNanos = now();
    }
    add(pn);
    if (!ackEliciting) return; // acknowledged only along with packets that ask for it
    news = true;
    unacked++;
    if (unacked >= 2 || gap) {
      ackNeeded.run();
    } else if (ackTimer < 0) {
      ackTimer = scheduler.schedule(ReliableSender.MAX_ACK_DELAY_MS, () -> {
        ackTimer = -1;
        if (unacked > 0) ackNeeded.run();
      });
    }
  }

  private void add(long pn) {
    Map.Entry<Long, Long> below = received.floorEntry(pn);
    if (below != null && below.getValue() >= pn) return; // duplicate
    long first = pn;
    long last = pn;
    if (below != null && below.getValue() == pn - 1) {
      first = below.getKey();
      received.remove(first);
    }
    Long above = received.get(pn + 1);
    if (above != null) {
      received.remove(pn + 1);
      last = above;
    }
    received.put(first, last);
    while (received.size() > BundleCodec.MAX_ACK_RANGES) received.pollFirstEntry();
  }

  /** Whether an ACK should leave now. */
  boolean ackDue() {
    return unacked >= 2 || (unacked > 0 && gap) || (unacked > 0 && ackTimer < 0 && now() - largestAtNanos
      >= ReliableSender.MAX_ACK_DELAY_MS * 1_000_000L);
  }

  /**
   * Writes an ACK of what was received (highest ranges first; ranges the peer already knows of are
   * left out, see {@link #ackAcknowledged}) and the window; returns the largest packet number it
   * acknowledges, or -1 when nothing arrived yet.
   */
  long writeAck(ByteBuf out) {
    if (largest < 0) return -1;
    long[] ranges = new long[2 * received.size()];
    int i = 0;
    for (Map.Entry<Long, Long> e : received.descendingMap().entrySet()) {
      ranges[i++] = e.getKey();
      ranges[i++] = e.getValue();
    }
    int before = out.writerIndex();
    BundleCodec.writeAck(out, largest, (now() - largestAtNanos) / 1_000L, window(), ranges);
    ackBytesWritten += out.writerIndex() - before;
    news = false;
    unacked = 0;
    gap = false;
    if (ackTimer >= 0) {
      scheduler.cancel(ackTimer);
      ackTimer = -1;
    }
    return largest;
  }

  /**
   * The peer acknowledged a packet that carried one of our ACKs, which acknowledged up to
   * {@code largestInIt}: it knows which of its packets up to there arrived, so ranges that end
   * there or below need not be sent again (RFC 9000 13.2.4); the newest range always stays.
   * Without this every lost packet left a gap for good: at 1% loss every ACK soon carried
   * {@link BundleCodec#MAX_ACK_RANGES} ranges (283 bytes); with {@link #ackHasNews} it is what
   * brought the lossy lab from 0.6-0.77 to 0.94 of TCP BBR.
   */
  void ackAcknowledged(long largestInIt) {
    if (largestInIt <= ackFloor) return;
    ackFloor = largestInIt;
    while (received.size() > 1 && received.firstEntry().getValue() <= ackFloor) received.pollFirstEntry();
  }

  /**
   * Whether a packet that asks for acknowledgement arrived since the last ACK: only then does an
   * ACK that is not due tell the peer anything. A sender of data whose peer sent mostly ACKs had
   * put an ACK into each of its datagrams (acknowledging those ACKs): at 1% loss with 16 ranges,
   * 283 bytes of each 1.4 KB datagram, a fifth of the lossy lab's bottleneck.
   */
  boolean ackHasNews() {
    return news;
  }

  /** Bytes of ACK sub-frames written so far. */
  long ackBytesWritten() {
    return ackBytesWritten;
  }

  /** Bytes {@link #writeAck} would write now. */
  int ackBytes() {
    return largest < 0 ? 0 : BundleCodec.SUB_HEADER + 8 + 4 + 8 + 1 + 16 * Math.min(received.size(), BundleCodec.MAX_ACK_RANGES);
  }

  /** The highest message id accepted now. */
  long window() {
    return order.floor() - 1 + windowMessages;
  }

  // ---------------------------------------------------------------- messages

  /**
   * A fragment of a message. A complete reliable message waits in id order for {@link #drain},
   * which the caller runs once it has taken in the whole packet; unreliable ones are handed to
   * {@code deliverUnreliable} as soon as they are complete.
   */
  void onFragment(long msgId, int flags, int index, int count, ByteBuf chunk,
                  Consumer<SessionCodec.Data> deliverUnreliable, Consumer<SessionCodec.Result> results) {
    boolean unreliable = (flags & BundleCodec.FLAG_UNRELIABLE) != 0;
    if (index >= count || count == 0 || (long) count * chunk.readableBytes() > 2L * maxMessageBytes + 65536) {
      counters.drop(Drop.MALFORMED);
      return;
    }
    if (!unreliable && order.seen(msgId)) return; // duplicate
    if (!unreliable && msgId > window()) {
      counters.drop(Drop.WINDOW_EXCEEDED);
      return;
    }
    ByteBuf whole;
    Partial split = null;
    if (count == 1) {
      whole = chunk;
    } else {
      // reliable and unreliable messages number themselves apart: their reassemblies must not meet
      long key = unreliable ? -msgId : msgId;
      Partial p = partial.get(key);
      boolean essential = !unreliable && msgId == order.floor(); // the one the window waits for always fits
      if (p == null) {
        p = new Partial(count);
        partial.put(key, p);
      }
      if (p.count != count) {
        counters.drop(Drop.MALFORMED);
        return;
      }
      if (p.got[index]) return;
      int n = chunk.readableBytes();
      long need = p.need(index, n);
      if (!p.fits(index, n) || p.leastTotal(index, n) > maxMessageBytes + 512) {
        counters.drop(Drop.MALFORMED);
        release(partial.remove(key));
        return;
      }
      if (!essential && (partialBytes + need > peerBudgetBytes || nodeBytes.get() + need > nodeBudgetBytes)) {
        counters.drop(Drop.REASSEMBLY_FULL); // the sender sends it again later
        if (p.have == 0) partial.remove(key);
        return;
      }
      p.put(index, chunk, n, need);
      partialBytes += need;
      nodeBytes.addAndGet(need);
      if (p.have < count) return;
      partial.remove(key);
      release(p);
      if (p.body != null) {
        split = p;
        whole = Unpooled.wrappedBuffer(p.head);
      } else {
        whole = p.whole();
      }
    }
    try {
      if (SessionCodec.kindOf(whole) == SessionCodec.KIND_RESULT) {
        // a large reply: handled at once, out of order (a reply must not wait behind a busy consumer)
        SessionCodec.Result r = SessionCodec.readResultMessage(whole);
        if (!unreliable) order.done(msgId);
        results.accept(r);
      } else {
        SessionCodec.Data data = split != null ? SessionCodec.readData(whole, split.body()) : SessionCodec.readData(whole);
        if (data.msgId() != msgId) throw new WireException("message id " + data.msgId() + " in fragments of " + msgId);
        if (unreliable) {
          deliverUnreliable.accept(data); // no result: the sender awaits none
          return;
        }
        if (!order.add(data)) {
          counters.drop(Drop.MALFORMED); // two messages claim one predecessor: drop this one, stall nothing else
          order.done(msgId);
        }
      }
    } catch (WireException e) {
      counters.drop(Drop.MALFORMED);
      if (!unreliable) order.done(msgId); // it will never decode: do not stall the window (or its stream) behind it
    }
  }

  /**
   * Hands over ready messages, each after the one before it in its stream, while the consumer
   * side takes them, at most {@code max} of them. A loop, never a recursion: {@code deliver} may complete synchronously and free room,
   * which the next turn of the loop sees through {@code canDeliver}.
   *
   * @return true when it stopped at {@code max} with more ready to go
   */
  boolean drain(IntSupplier canDeliver, Consumer<SessionCodec.Data> deliver, int max) {
    int handed = 0;
    while (order.hasRunnable()) {
      if (canDeliver.getAsInt() <= 0) return false;
      if (handed == max) return true;
      handed++;
      deliver.accept(order.poll());
    }
    return false;
  }

  private void release(Partial p) {
    if (p == null) return;
    partialBytes -= p.reserved;
    nodeBytes.addAndGet(-p.reserved);
  }

  /** The session closed: give the reassembly memory back to the node. */
  void close() {
    for (Iterator<Partial> it = partial.values().iterator(); it.hasNext(); ) {
      release(it.next());
      it.remove();
    }
    order.clear();
    if (ackTimer >= 0) scheduler.cancel(ackTimer);
  }

  /** Messages complete but waiting for an earlier one or for the consumer. */
  int waiting() {
    return order.waiting();
  }

  private long now() {
    return scheduler.clock().nanoTime();
  }
}
