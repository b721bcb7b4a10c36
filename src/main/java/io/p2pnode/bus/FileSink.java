package io.p2pnode.bus;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Where {@link FileReceiver} writes its batches, on a worker thread (one call at a time): a plain
 * file ({@link BufferedFileSink}), or one opened for direct I/O ({@link DirectFileSink}) when asked
 * and the file system allows it.
 */
interface FileSink {
  /** Writes every byte of {@code batch} after what was written before (the buffers are used up). */
  void write(List<ByteBuffer> batch) throws IOException;

  /** Writes what is held back, then closes the file. */
  void close() throws IOException;

  /** Whether the bytes bypass the page cache. */
  boolean direct();

  /**
   * Creates or truncates {@code path}; plain writes unless {@code direct}. Then a regular file is
   * opened with {@code O_DIRECT} when its file system takes it: the bytes go from one reused buffer
   * to the device, where page-cache writes cost a page fault and a copy per page (on this project's
   * VMs, 0.3–0.7 s of CPU per GiB into a new file in {@link BufferedFileSink#WRITE_BYTES} writes
   * against 0.12 s direct). A FIFO or a device (where {@code O_DIRECT} means something else, or
   * nothing) and a file system that refuses it get plain writes all the same.
   */
  static FileSink open(Path path, boolean direct) throws IOException {
    if (direct && (!Files.exists(path) || Files.isRegularFile(path))) {
      FileChannel ch = null;
      try {
        ch = FileChannel.open(path, DIRECT_OPTIONS);
        return new DirectFileSink(ch, Math.toIntExact(Files.getFileStore(path).getBlockSize()));
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ArithmeticException e) {
        // not for this file system (or a block size the sink cannot align to): plain writes below,
        // where a real error repeats and is reported
        if (ch != null) ch.close();
      }
    }
    return new BufferedFileSink(FileChannel.open(path, PLAIN_OPTIONS));
  }

  /** Makes room in a full staging buffer (writes what it holds). */
  @FunctionalInterface
  interface Drain {
    void drain() throws IOException;
  }

  /**
   * Copies every byte of {@code batch} into {@code staging} from its position on, calling
   * {@code full} each time it fills up; the batch's buffers are used up. The sinks' one copy loop.
   */
  static void stage(List<ByteBuffer> batch, ByteBuffer staging, Drain full) throws IOException {
    for (ByteBuffer b : batch) {
      while (b.hasRemaining()) {
        int n = Math.min(b.remaining(), staging.remaining());
        staging.put(staging.position(), b, b.position(), n);
        staging.position(staging.position() + n);
        b.position(b.position() + n);
        if (!staging.hasRemaining()) full.drain();
      }
    }
  }

  /** Created or truncated, for writing. */
  OpenOption[] PLAIN_OPTIONS = {StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING};
  /** The same, past the page cache. */
  OpenOption[] DIRECT_OPTIONS = {StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
    ExtendedOpenOption.DIRECT};

  /**
   * Plain writes through the page cache: each batch is copied into one reused direct buffer and
   * written in pieces of {@link #WRITE_BYTES}.
   */
  final class BufferedFileSink implements FileSink {
    /**
     * Bytes per write: 256 KiB. On Linux 6.18 (ext4 with large folios) a write's size sets the size
     * of the page-cache folios it allocates, and on a VM that hands free memory back to its host
     * (free page reporting, in 2 MiB blocks) large folios are the blocks it gave back: 1 GiB into a
     * new file (one pinned core, `sleep 6` before each) took 0.33–0.70 s of CPU per GiB at
     * 1.5–3.0 GB/s in writes of 64–256 KiB, 1.3 s in 512 KiB, 1.7–1.9 s (550–610 MB/s) in 1 MiB and
     * 3.0–3.4 s (300–340 MB/s) in 2–4 MiB. One gathering write per batch (8 MiB of 64 KiB heap
     * buffers, each copied by the JDK into a temporary direct buffer) took 2.8–3.5 s per GiB.
     */
    static final int WRITE_BYTES = 256 * 1024;
    private final FileChannel channel;
    private final ByteBuffer staging = ByteBuffer.allocateDirect(WRITE_BYTES);

    BufferedFileSink(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public void write(List<ByteBuffer> batch) throws IOException {
      stage(batch, staging, this::writeStaged);
      writeStaged();
    }

    private void writeStaged() throws IOException {
      staging.flip();
      while (staging.hasRemaining()) channel.write(staging);
      staging.clear();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }

    @Override
    public boolean direct() {
      return false;
    }
  }
}
