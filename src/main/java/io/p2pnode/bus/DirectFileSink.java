package io.p2pnode.bus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Writes a file opened with {@code O_DIRECT}: bytes are copied into one block-aligned direct
 * buffer ({@link #STAGING_BYTES}) and leave it in whole blocks, at block-aligned offsets, as
 * direct I/O requires; the bytes of a last, partial block wait for the next batch. {@link #close}
 * writes them as one zero-padded block and cuts the file back to the bytes written. Nothing goes
 * through the page cache, so receiving a large file neither costs a page fault per 4 KiB nor
 * pushes other files out of memory. Staging buffers are kept for the next files ({@link #IDLE}).
 * One thread at a time (the worker running the file's current task).
 */
final class DirectFileSink implements FileSink {
  /** The staging buffer: as many bytes as {@link FileReceiver#MAX_GATHERED_BYTES}, so a batch is one or two writes. */
  static final int STAGING_BYTES = FileReceiver.MAX_GATHERED_BYTES;

  /** Alignment of the pooled staging buffers: what file systems ask of direct I/O (512 B or 4 KiB blocks). */
  private static final int POOLED_ALIGNMENT = 4096;
  /**
   * Staging buffers of closed sinks, for the next files: {@code allocateDirect} zeroes all 8 MiB,
   * which on this project's VMs took about 13 ms of first-touch memory per file received; four
   * are kept (32 MiB at most), more files at once allocate their own.
   */
  private static final BlockingQueue<ByteBuffer> IDLE = new ArrayBlockingQueue<>(4);

  private final FileChannel channel;
  private final int block;
  private boolean closed;
  /** Aligned to {@link #block}; holds the bytes not yet written, from its start. */
  private final ByteBuffer staging;
  /** The file offset of {@link #staging}'s first byte: a multiple of {@link #block}. */
  private long written;

  DirectFileSink(FileChannel channel, int block) {
    if (block <= 0 || Integer.bitCount(block) != 1 || block > STAGING_BYTES) {
      throw new IllegalArgumentException("block size " + block);
    }
    this.channel = channel;
    this.block = block;
    ByteBuffer idle = block <= POOLED_ALIGNMENT ? IDLE.poll() : null;
    this.staging = idle != null ? idle : allocate(Math.max(block, POOLED_ALIGNMENT));
  }

  private static ByteBuffer allocate(int alignment) {
    return ByteBuffer.allocateDirect(STAGING_BYTES + alignment).alignedSlice(alignment).slice(0, STAGING_BYTES);
  }

  @Override
  public void write(List<ByteBuffer> batch) throws IOException {
    FileSink.stage(batch, staging, this::writeWholeBlocks);
    writeWholeBlocks();
  }

  /** Writes the whole blocks staged and moves the rest (less than a block) to the start. */
  private void writeWholeBlocks() throws IOException {
    int held = staging.position();
    int whole = held - held % block;
    if (whole == 0) return;
    writeFully(staging.duplicate().position(0).limit(whole));
    staging.limit(held).position(whole);
    staging.compact();
  }

  private void writeFully(ByteBuffer out) throws IOException {
    while (out.hasRemaining()) written += channel.write(out, written);
  }

  @Override
  public void close() throws IOException {
    if (closed) return;
    closed = true;
    try {
      int tail = staging.position();
      if (tail > 0) {
        while (staging.position() < block) staging.put((byte) 0);
        long end = written + tail;
        writeFully(staging.flip());
        channel.truncate(end);
      }
    } finally {
      try {
        channel.close();
      } finally {
        IDLE.offer(staging.clear()); // every staging buffer is aligned to POOLED_ALIGNMENT at least; full: left to the collector
      }
    }
  }

  @Override
  public boolean direct() {
    return true;
  }
}
