package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReceiveBuffersTest {
  private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);

  @Test
  void aBufferNothingHoldsIsReusedEmptyAndDirect() {
    int size = 1031; // a size of this test's own: the cache is per thread and per size
    ByteBuf first = ReceiveBuffers.take(alloc, size);
    assertTrue(first.isDirect());
    assertEquals(size, first.capacity());
    first.writeBytes(new byte[] {1, 2, 3});
    first.release(); // the read's datagrams were handled
    ByteBuf second = ReceiveBuffers.take(alloc, size);
    assertSame(first, second, "reused");
    assertEquals(0, second.readableBytes(), "emptied");
    assertEquals(2, second.refCnt(), "the reader's reference and the cache's");
    second.release();
  }

  @Test
  void aBufferSomethingStillHoldsIsNeverWrittenOverAndIsFreedByItsLastHolder() {
    int size = 1033;
    ByteBuf first = ReceiveBuffers.take(alloc, size);
    first.writeBytes(new byte[] {7, 8, 9});
    ByteBuf kept = first.retainedSlice(0, 3); // a datagram of it, kept beyond the read
    first.release();
    ByteBuf second = ReceiveBuffers.take(alloc, size);
    assertNotSame(first, second, "a held buffer is not handed out again");
    second.writeBytes(new byte[] {0, 0, 0});
    assertEquals(7, kept.getByte(0), "what was kept is intact");
    kept.release();
    assertEquals(0, first.refCnt(), "the cache let go of it when it took the new one");
    second.release();
    assertSame(second, ReceiveBuffers.take(alloc, size), "the new one is the loop's buffer now");
  }
}
