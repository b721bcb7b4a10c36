package io.p2pnode.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.p2pnode.time.ManualScheduler;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.BundleCodec;
import io.p2pnode.wire.SessionCodec;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Reassembly of fragmented messages straight into one array (or, for a {@code Buffer} body whose
 * first chunk comes first, into the application's buffer): any arrival order (the last chunk
 * first included), chunks that disagree about the chunk size are malformed, memory is reserved
 * against the budgets when the size is known and given back.
 */
class ReassemblyTest {
  final Counters counters = new Counters();
  final AtomicLong nodeBytes = new AtomicLong();
  final List<SessionCodec.Data> delivered = new ArrayList<>();

  ReliableReceiver receiver(long peerBudget) {
    return new ReliableReceiver(new ManualScheduler(), counters, 4096, peerBudget, nodeBytes, 1L << 30, 1 << 20, () -> { });
  }

  static ByteBuf encoded(long id, byte[] body) {
    ByteBuf b = Unpooled.buffer();
    SessionCodec.writeData(b, id, SessionCodec.KIND_SEND, 1000, "file", Buffer.buffer(body));
    return b;
  }

  /** The chunks of {@code message} cut at {@code size}, as the sender cuts them. */
  static List<ByteBuf> cut(ByteBuf message, int size) {
    List<ByteBuf> chunks = new ArrayList<>();
    for (int at = 0; at < message.readableBytes(); at += size) {
      chunks.add(message.slice(at, Math.min(size, message.readableBytes() - at)));
    }
    return chunks;
  }

  void feed(ReliableReceiver r, long id, List<ByteBuf> chunks, int index) {
    r.onFragment(id, BundleCodec.FLAG_UNRELIABLE, index, chunks.size(), chunks.get(index), delivered::add, x -> { });
  }

  @Test
  void chunksInAnyOrderMakeTheMessageAndTheMemoryIsGivenBack() {
    Random rnd = new Random(3);
    ReliableReceiver r = receiver(1L << 30);
    for (int round = 0; round < 50; round++) {
      byte[] body = new byte[1 + rnd.nextInt(20_000)];
      rnd.nextBytes(body);
      List<ByteBuf> chunks = cut(encoded(round + 1, body), 100 + rnd.nextInt(2_000));
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < chunks.size(); i++) order.add(i);
      Collections.shuffle(order, rnd);
      if (round % 5 == 0) { // the last chunk first
        order.remove(Integer.valueOf(chunks.size() - 1));
        order.add(0, chunks.size() - 1);
      }
      for (int i : order) feed(r, round + 1, chunks, i);
      if (chunks.size() > 1) {
        assertEquals(Buffer.buffer(body), delivered.get(delivered.size() - 1).body(), "round " + round);
      }
      assertEquals(0, nodeBytes.get(), "nothing held once complete");
    }
    assertEquals(0, counters.drops(Drop.MALFORMED));
  }

  @Test
  void aBufferBodyWhoseFirstChunkComesFirstIsCopiedOnceIntoTheBufferTheApplicationGets() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    byte[] body = new byte[65_536];
    new Random(5).nextBytes(body);
    ReliableReceiver r = receiver(1L << 30);
    List<ByteBuf> warm = cut(encoded(1, body), 1_150); // loads and links what the measured round uses
    for (int i = 0; i < warm.size(); i++) feed(r, 1, warm, i);
    List<ByteBuf> chunks = cut(encoded(2, body), 1_150);
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < chunks.size(); i++) feed(r, 2, chunks, i);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    Buffer got = (Buffer) delivered.get(delivered.size() - 1).body();
    assertEquals(Buffer.buffer(body), got);
    assertTrue(allocated < body.length + body.length / 2, "one body-sized copy, not two: " + allocated + " bytes allocated");
    got.appendString("more"); // grows like any Vert.x buffer
    assertEquals(body.length + 4, got.length());
    // the last chunk first, then the rest in order: still split, the last chunk moved into the body
    List<ByteBuf> again = cut(encoded(3, body), 1_150);
    feed(r, 3, again, again.size() - 1);
    for (int i = 0; i < again.size() - 1; i++) feed(r, 3, again, i);
    assertEquals(Buffer.buffer(body), delivered.get(delivered.size() - 1).body());
    assertEquals(0, nodeBytes.get());
    assertEquals(0, counters.drops(Drop.MALFORMED));
  }

  @Test
  void chunksThatDisagreeAboutTheSizeAreMalformed() {
    ReliableReceiver r = receiver(1L << 30);
    List<ByteBuf> chunks = cut(encoded(1, new byte[5_000]), 1_000);
    feed(r, 1, chunks, 0);
    ByteBuf shorter = chunks.get(1).slice(0, 999);
    r.onFragment(1, BundleCodec.FLAG_UNRELIABLE, 1, chunks.size(), shorter, delivered::add, x -> { });
    assertEquals(1, counters.drops(Drop.MALFORMED));
    assertEquals(0, nodeBytes.get(), "the partial message is dropped with its memory");
    List<ByteBuf> other = cut(encoded(2, new byte[5_000]), 1_000);
    ByteBuf longLast = Unpooled.buffer().writeBytes(other.get(other.size() - 1)).writeZero(2_000);
    feed(r, 2, other, 0);
    r.onFragment(2, BundleCodec.FLAG_UNRELIABLE, other.size() - 1, other.size(), longLast, delivered::add, x -> { });
    assertEquals(2, counters.drops(Drop.MALFORMED), "a last chunk larger than the others");
    assertTrue(delivered.isEmpty());
  }

  @Test
  void aFirstChunkClaimingMoreThanTheLargestMessageReservesNothing() {
    ReliableReceiver r = receiver(1L << 30);
    ByteBuf chunk = Unpooled.buffer().writeZero(1_000);
    r.onFragment(9, BundleCodec.FLAG_UNRELIABLE, 0, 5_000, chunk, delivered::add, x -> { }); // 5 MB > 1 MiB max
    assertEquals(1, counters.drops(Drop.MALFORMED));
    assertEquals(0, nodeBytes.get());
  }

  @Test
  void theWholeMessageIsReservedAgainstThePeersBudget() {
    ReliableReceiver r = receiver(50_000);
    List<ByteBuf> big = cut(encoded(1, new byte[40_000]), 1_000);
    feed(r, 1, big, 0);
    assertTrue(nodeBytes.get() >= 40_000, "reserved " + nodeBytes.get());
    List<ByteBuf> second = cut(encoded(2, new byte[40_000]), 1_000);
    feed(r, 2, second, 0);
    assertEquals(1, counters.drops(Drop.REASSEMBLY_FULL), "a second one does not fit beside it");
    for (int i = 1; i < big.size(); i++) feed(r, 1, big, i);
    assertEquals(1, delivered.size());
    assertEquals(0, nodeBytes.get());
  }

  @Test
  void aMessageJustUnderTheLargestArrivesWhicheverChunkComesFirst() {
    ReliableReceiver r = receiver(1L << 30); // largest message 1 MiB
    ByteBuf m = encoded(1, new byte[(1 << 20) - 100]);
    List<ByteBuf> chunks = cut(m, 60_000); // the last chunk is short: the whole is well below count x 60 000
    for (int i = 0; i < chunks.size(); i++) feed(r, 1, chunks, i);
    assertEquals(1, delivered.size(), "no chunk taken for malformed");
    List<ByteBuf> again = cut(encoded(2, new byte[(1 << 20) - 100]), 60_000);
    for (int i = again.size() - 1; i >= 0; i--) feed(r, 2, again, i); // the last one first
    assertEquals(2, delivered.size());
    assertEquals(0, counters.drops(Drop.MALFORMED));
    assertEquals(0, nodeBytes.get());
  }
}
