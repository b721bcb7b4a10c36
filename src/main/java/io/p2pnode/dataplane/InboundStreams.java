package io.p2pnode.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.p2pnode.bus.Failure;
import io.p2pnode.bus.StreamResetException;
import io.p2pnode.config.SessionOptions;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.BundleCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.SessionCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The receiving side of a session's byte streams: a stream's first message opens it at the
 * application ({@link StreamSink}; none there: STOP 404; {@code session.maxStreams} open already:
 * STOP 429 and a counted drop); its bytes go to the application as they come, in order; what the
 * application's reader consumed gives the sender credit again (CREDIT, once half a window was
 * consumed), per stream ({@code session.streamWindowBytes}) and for the session
 * ({@code session.connectionWindowBytes}). A reader that pauses stops its stream's credit, and
 * only its stream's. Either end may reset a stream (RESET): the reader's side forgets it, settles
 * its bytes with the session's credit, and drops what still comes of it. Single-threaded.
 */
final class InboundStreams {
  /** One open inbound stream. */
  private static final class In {
    final StreamSink.Inbound app;
    long received;
    long consumed;
    long advertised;
    boolean ended;

    In(StreamSink.Inbound app) {
      this.app = app;
    }
  }

  private final String peerId;
  private final StreamSink sink;
  private final Counters counters;
  private final int maxStreams;
  private final long streamWindow;
  private final long connectionWindow;
  /** Queues a CREDIT or STOP sub-frame body (reliable: re-sent until acknowledged). */
  private final BiConsumer<FrameType, ByteBuf> control;
  private final Map<Integer, In> streams = new HashMap<>();
  /** Reset streams remembered, so their late bytes are dropped and do not open them again. */
  static final int MAX_RESET_REMEMBERED = 1024;
  /** Streams reset by either end, whose late bytes are dropped (bounded: the oldest are forgotten first). */
  private final Set<Integer> resetIds = new LinkedHashSet<>();
  private long received;
  private long consumed;
  private long advertised = SessionOptions.MIN_CONNECTION_WINDOW_BYTES;

  InboundStreams(String peerId, StreamSink sink, Counters counters, SessionOptions o, BiConsumer<FrameType, ByteBuf> control) {
    this.peerId = peerId;
    this.sink = sink;
    this.counters = counters;
    this.maxStreams = o.maxStreams();
    this.streamWindow = o.streamWindowBytes();
    this.connectionWindow = o.connectionWindowBytes();
    this.control = control;
  }

  /** A message of a byte stream, in its stream's order. */
  void onData(SessionCodec.Data d) {
    int id = d.streamId();
    In s = streams.get(id);
    if (s == null && resetIds.contains(id)) { // in flight when it was reset: dropped, but its bytes count for the session's credit
      int n = d.kind() == SessionCodec.KIND_STREAM_END ? 0 : ((Buffer) d.body()).length();
      received += n;
      consumedBySession(n);
      if (d.kind() == SessionCodec.KIND_STREAM_END) resetIds.remove(id);
      return;
    }
    if (s == null) {
      if (d.prev() != 0) { // its start was refused or dropped
        counters.drop(Drop.STREAM_UNKNOWN);
        return;
      }
      if (streams.size() >= maxStreams) {
        counters.drop(Drop.STREAM_LIMIT);
        stop(id, Failure.QUEUE_FULL.code());
        return;
      }
      StreamSink.Inbound app = sink.open(peerId, id, d.address());
      if (app == null) {
        stop(id, Failure.NOT_FOUND.code());
        return;
      }
      s = new In(app);
      s.advertised = SessionOptions.MIN_STREAM_WINDOW_BYTES;
      streams.put(id, s);
      if (streamWindow > s.advertised) credit(id, s.advertised = streamWindow);
      if (connectionWindow > advertised && consumed == 0) credit(0, advertised = connectionWindow);
    }
    if (d.kind() == SessionCodec.KIND_STREAM_END) {
      s.ended = true;
      if (s.consumed >= s.received) streams.remove(id);
      s.app.end();
      return;
    }
    Buffer b = (Buffer) d.body();
    // a sender may overshoot its credit by less than one chunk (it sends a chunk while below it); more is a broken peer
    if (s.received + b.length() > s.advertised + SessionCodec.MAX_STREAM_CHUNK
      || received + b.length() > advertised + SessionCodec.MAX_STREAM_CHUNK) {
      counters.drop(Drop.CREDIT_EXCEEDED);
      streams.remove(id);
      stop(id, Failure.BAD_REQUEST.code());
      s.app.failed(Failure.BAD_REQUEST.exception(peerId + " sent stream " + d.address() + " beyond the credit it was given"));
      return;
    }
    s.received += b.length();
    received += b.length();
    s.app.data(b);
  }

  /** The application's reader consumed {@code bytes} of stream {@code id}: credit, once half a window was used. */
  void consumed(int id, long bytes) {
    In s = streams.get(id);
    if (s == null || bytes <= 0) return;
    s.consumed += bytes;
    if (s.ended) {
      if (s.consumed >= s.received) streams.remove(id);
    } else if (s.consumed + streamWindow - s.advertised >= streamWindow / 2) {
      credit(id, s.advertised = s.consumed + streamWindow);
    }
    consumedBySession(bytes);
  }

  /** The peer's writer reset its stream: the reader fails (after the bytes it holds already). */
  void onReset(BundleCodec.Reset r) {
    In s = forget(r.stream());
    if (s != null && !s.ended) s.app.failed(new StreamResetException(r.code(), true));
  }

  /** The application's reader abandons stream {@code id}: the peer's writer hears RESET. False when it is not open. */
  boolean reset(int id, long code) {
    if (forget(id) == null) return false;
    ByteBuf b = Unpooled.buffer(BundleCodec.RESET_BYTES);
    BundleCodec.writeResetBody(b, id, BundleCodec.SIDE_READER, code);
    control.accept(FrameType.RESET, b);
    return true;
  }

  /** Stream {@code id} was reset: removed and remembered; what its reader had not consumed is settled with the session's credit. */
  private In forget(int id) {
    resetIds.add(id);
    if (resetIds.size() > MAX_RESET_REMEMBERED) resetIds.remove(resetIds.iterator().next());
    In s = streams.remove(id);
    if (s != null) consumedBySession(s.received - s.consumed); // the reader's later reports of it are ignored
    return s;
  }

  /** {@code bytes} of the session's streams were consumed (or dropped): the session's credit, once half a window was used. */
  private void consumedBySession(long bytes) {
    consumed += bytes;
    if (consumed + connectionWindow - advertised >= connectionWindow / 2) credit(0, advertised = consumed + connectionWindow);
  }

  /** The session closed: every open stream fails. */
  void failAll(ReplyException cause) {
    List<In> all = new ArrayList<>(streams.values());
    streams.clear();
    for (In s : all) {
      if (!s.ended) s.app.failed(cause);
    }
  }

  /** Streams open (not ended, or with bytes the reader did not consume yet). */
  int size() {
    return streams.size();
  }

  private void credit(int id, long max) {
    ByteBuf b = Unpooled.buffer(BundleCodec.CREDIT_BYTES);
    BundleCodec.writeCreditBody(b, id, max);
    control.accept(FrameType.CREDIT, b);
  }

  private void stop(int id, int code) {
    ByteBuf b = Unpooled.buffer(BundleCodec.STOP_BYTES);
    BundleCodec.writeStopBody(b, id, code);
    control.accept(FrameType.STOP, b);
  }
}
