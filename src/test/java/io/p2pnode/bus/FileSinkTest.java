package io.p2pnode.bus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FileSink}: which file gets direct I/O, and a file holds exactly the bytes written, whatever their cut, direct or not. */
class FileSinkTest {

  @Test
  void aRegularFileIsWrittenDirectAndAFifoThroughThePageCache(@TempDir Path dir) throws Exception {
    FileSink file = FileSink.open(dir.resolve("a.bin"), true);
    file.close();
    assertTrue(file.direct(), "a new file on this machine's file system takes O_DIRECT");
    FileSink plain = FileSink.open(dir.resolve("plain.bin"), false);
    plain.close();
    assertFalse(plain.direct(), "direct I/O only when asked");
    Path fifo = dir.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
    try (var reader = new java.io.RandomAccessFile(fifo.toFile(), "rw")) { // keeps the FIFO open, so opening it to write does not block
      FileSink pipe = FileSink.open(fifo, true);
      pipe.close();
      assertFalse(pipe.direct(), "O_DIRECT on a FIFO would make it a packet pipe: plain writes");
    }
  }

  @ParameterizedTest(name = "direct {0}")
  @ValueSource(booleans = {true, false})
  void oddSizesAcrossBatchesArriveExactly(boolean direct, @TempDir Path dir) throws Exception {
    Random r = new Random(7);
    // sizes that cut blocks and writes anywhere: less than a block, a block and one, more than a
    // page-cache write, more than the direct staging buffer in one batch
    int[][] batches = {{1}, {100, 4095}, {4097, 3}, {FileSink.BufferedFileSink.WRITE_BYTES - 1, 2, FileSink.BufferedFileSink.WRITE_BYTES},
      {DirectFileSink.STAGING_BYTES + 12_345, 65_536}, {}, {7}};
    ByteBuffer expected = ByteBuffer.allocate(Arrays.stream(batches).flatMapToInt(Arrays::stream).sum());
    Path target = dir.resolve("odd.bin");
    Files.write(target, new byte[20 << 20]); // longer than what comes: truncated
    FileSink sink = FileSink.open(target, direct);
    assertEquals(direct, sink.direct());
    for (int[] sizes : batches) {
      List<ByteBuffer> batch = new ArrayList<>();
      for (int n : sizes) {
        byte[] b = new byte[n + 10];
        r.nextBytes(b);
        expected.put(b, 5, n);
        batch.add(ByteBuffer.wrap(b, 5, n)); // a slice of a bigger array, as a chunk of a datagram would be
      }
      sink.write(batch);
      for (ByteBuffer b : batch) assertFalse(b.hasRemaining(), "a batch's buffers are used up");
    }
    sink.close();
    assertArrayEquals(expected.array(), Files.readAllBytes(target));
  }

  @Test
  void aWholeNumberOfBlocksNeedsNoPaddingAndNothingIsAnEmptyFile(@TempDir Path dir) throws Exception {
    Path blocks = dir.resolve("blocks.bin");
    FileSink sink = FileSink.open(blocks, true);
    byte[] b = new byte[3 * 4096];
    new Random(3).nextBytes(b);
    sink.write(List.of(ByteBuffer.wrap(b)));
    sink.close();
    assertArrayEquals(b, Files.readAllBytes(blocks));
    Path empty = dir.resolve("empty.bin");
    Files.write(empty, new byte[5000]);
    FileSink none = FileSink.open(empty, true);
    none.write(List.of());
    none.close();
    assertEquals(0, Files.size(empty));
  }

  @Test
  void aStagingBufferServesTheNextFileWithNothingOfThePreviousOneAndOnlyOnce(@TempDir Path dir) throws Exception {
    FileSink first = FileSink.open(dir.resolve("first.bin"), true);
    byte[] fill = new byte[DirectFileSink.STAGING_BYTES - 3]; // leaves the whole buffer dirty
    Arrays.fill(fill, (byte) 0x55);
    first.write(List.of(ByteBuffer.wrap(fill)));
    first.close();
    first.close(); // a second close must not hand the buffer back twice
    byte[][] contents = {new byte[100], new byte[5000]};
    FileSink[] sinks = {FileSink.open(dir.resolve("a.bin"), true), FileSink.open(dir.resolve("b.bin"), true)}; // both open at once
    for (int i = 0; i < 2; i++) {
      Arrays.fill(contents[i], (byte) (i + 1));
      sinks[i].write(List.of(ByteBuffer.wrap(contents[i])));
    }
    for (FileSink sink : sinks) sink.close();
    assertArrayEquals(contents[0], Files.readAllBytes(dir.resolve("a.bin")));
    assertArrayEquals(contents[1], Files.readAllBytes(dir.resolve("b.bin")));
  }
}
