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
   * VMs, 1.4–2 s of CPU per GiB into a new file against 0.12 s direct). A FIFO or a device (where
   * {@code O_DIRECT} means something else, or nothing) and a file system that refuses it get plain
   * writes all the same.
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

  /** Created or truncated, for writing. */
  OpenOption[] PLAIN_OPTIONS = {StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING};
  /** The same, past the page cache. */
  OpenOption[] DIRECT_OPTIONS = {StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
    ExtendedOpenOption.DIRECT};

  /** Plain writes: one gathering write per batch, through the page cache. */
  final class BufferedFileSink implements FileSink {
    /** A gathering write takes at most this many buffers (Linux's IOV_MAX is 1024; the JDK copies heap buffers per call). */
    private static final int MAX_BUFFERS_PER_WRITE = 512;
    private final FileChannel channel;

    BufferedFileSink(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public void write(List<ByteBuffer> batch) throws IOException {
      ByteBuffer[] all = batch.toArray(new ByteBuffer[0]);
      for (int from = 0; from < all.length; ) {
        int n = Math.min(MAX_BUFFERS_PER_WRITE, all.length - from);
        channel.write(all, from, n);
        while (from < all.length && !all[from].hasRemaining()) from++;
      }
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
