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
import io.vertx.core.internal.buffer.BufferInternal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sending side of a session's byte streams ({@code P2pClient.openStream}): what the
 * application wrote waits here until the receiver's credit lets it go (per stream and for the
 * session, see {@link BundleCodec} CREDIT), then becomes messages of kind
 * {@link SessionCodec#KIND_STREAM} of at most {@link SessionCodec#MAX_STREAM_CHUNK} bytes, each
 * naming the previous one of its stream. Only data the credit admits gets a message id, so a
 * stream without credit never holds back the receive window of the others. Single-threaded.
 */
final class OutboundStreams {
  /** Turns the stream's next chunk into a queued message. */
  interface Output {
    /** Takes the next reliable message id. */
    long nextMsgId();

    /** Queues an encoded message of {@code stream} (its chunk size chosen by the caller). */
    ReliableSender.OutMessage enqueue(long msgId, ByteBuf encoded, Object stream);

    /** The largest encoded message that travels whole, in one datagram, on the current path. */
    int wholeMessageBytes();

    /** Queues a sub-frame for the peer (RESET), re-sent until acknowledged. */
    void control(FrameType type, ByteBuf body);
  }

  /** One open byte stream. */
  private static final class Out {
    final int id;
    final String address;
    final int priority;
    final OutboundStreamListener listener;
    final ArrayDeque<Buffer> waiting = new ArrayDeque<>();
    /** Bytes of the head of {@link #waiting} already sent. */
    int headOffset;
    long credit = SessionOptions.MIN_STREAM_WINDOW_BYTES;
    long sent;
    long lastMsgId;
    /** Messages of the stream (its end included) the peer did not acknowledge yet. */
    int unacked;
    /** Bytes from the stream's start the peer acknowledged without a gap: what the writer hears. */
    long ackedPrefix;
    /** Chunks acknowledged beyond a gap (a chunk before them lost, on its way again): start → length. */
    final Map<Long, Integer> ackedAhead = new HashMap<>();
    boolean endAsked;
    boolean endSent;

    Out(int id, String address, int priority, OutboundStreamListener listener) {
      this.id = id;
      this.address = address;
      this.priority = priority;
      this.listener = listener;
    }
  }

  private final Output out;
  private final Counters counters;
  private final Map<Integer, Out> streams = new HashMap<>();
  private int nextId = 1;
  private long connectionCredit = SessionOptions.MIN_CONNECTION_WINDOW_BYTES;
  private long connectionSent;

  OutboundStreams(Output out, Counters counters) {
    this.out = out;
    this.counters = counters;
  }

  /** Opens a stream; the caller checked the stream limit. Returns its id. */
  int open(String address, int priority, OutboundStreamListener listener) {
    int id = nextId;
    nextId = nextId == Integer.MAX_VALUE ? 1 : nextId + 1;
    streams.put(id, new Out(id, address, priority, listener));
    return id;
  }

  /** Streams open (not ended, or their end or data before it not acknowledged yet). */
  int size() {
    return streams.size();
  }

  /**
   * Bytes to stream {@code id} ({@code end}: then its end). Fails (false) when the stream is no
   * longer open (refused, failed, ended).
   */
  boolean write(int id, Buffer bytes, boolean end) {
    Out o = streams.get(id);
    if (o == null || o.endAsked) return false;
    if (bytes != null && bytes.length() > 0) o.waiting.add(bytes);
    if (end) o.endAsked = true;
    pump(o);
    return true;
  }

  /** A CREDIT from the receiver. */
  void onCredit(BundleCodec.Credit c) {
    if (c.stream() == 0) {
      if (c.max() <= connectionCredit) return;
      connectionCredit = c.max();
      for (Out o : new ArrayList<>(streams.values())) pump(o);
      return;
    }
    Out o = streams.get(c.stream());
    if (o == null) return; // ended meanwhile, or a late copy
    if (c.max() > o.credit) {
      o.credit = c.max();
      pump(o);
    }
  }

  /**
   * The application's writer abandons stream {@code id}: what waits for credit is dropped, its
   * writes fail, the peer hears RESET. Chunks already handed to the reliable sender still go
   * (they hold message ids the peer's window waits for); the peer drops them. False when the
   * stream is no longer open.
   */
  boolean reset(int id, long code) {
    if (!dropReset(id, code, false)) return false;
    ByteBuf b = Unpooled.buffer(BundleCodec.RESET_BYTES);
    BundleCodec.writeResetBody(b, id, BundleCodec.SIDE_WRITER, code);
    out.control(FrameType.RESET, b);
    return true;
  }

  /** The peer's reader reset one of our streams: it fails and sends nothing more (a late copy, or one for a stream over already, changes nothing). */
  void onReset(BundleCodec.Reset r) {
    dropReset(r.stream(), r.code(), true);
  }

  /** Stream {@code id} was reset: forgotten with what waits for credit, and its writer fails. False when it was not open. */
  private boolean dropReset(int id, long code, boolean byPeer) {
    Out o = streams.remove(id);
    if (o == null) return false;
    o.waiting.clear();
    o.listener.failed(new StreamResetException(code, byPeer));
    return true;
  }

  /** A STOP from the receiver: the stream fails with its code and sends nothing more. */
  void onStop(BundleCodec.Stop s) {
    Out o = streams.remove(s.stream());
    if (o == null) {
      counters.drop(Drop.STREAM_UNKNOWN);
      return;
    }
    o.listener.failed(s.code() == Failure.QUEUE_FULL.code()
      ? Failure.QUEUE_FULL.exception("the peer has too many streams open (session.maxStreams)")
      : s.code() == Failure.NOT_FOUND.code() ? Failure.NOT_FOUND.exception("no stream handler at " + o.address + " on the peer")
      : Failure.BAD_REQUEST.exception("the peer refused stream " + o.address + " (" + s.code() + ")"));
  }

  /** The session closed: every open stream fails. */
  void failAll(ReplyException cause) {
    List<Out> all = new ArrayList<>(streams.values());
    streams.clear();
    for (Out o : all) o.listener.failed(cause);
  }

  /** Turns what the credit admits into messages. */
  private void pump(Out o) {
    while (!o.waiting.isEmpty() && o.sent < o.credit && connectionSent < connectionCredit) {
      Buffer head = o.waiting.peek();
      int len = Math.min(chunkLimit(o), head.length() - o.headOffset);
      queue(o, SessionCodec.KIND_STREAM, ((BufferInternal) head).getByteBuf(), o.headOffset, len);
      o.headOffset += len;
      if (o.headOffset == head.length()) {
        o.waiting.poll();
        o.headOffset = 0;
      }
      o.sent += len;
      connectionSent += len;
    }
    if (o.waiting.isEmpty() && o.endAsked && !o.endSent) {
      o.endSent = true;
      queue(o, SessionCodec.KIND_STREAM_END, Unpooled.EMPTY_BUFFER, 0, 0);
    }
  }

  /**
   * The largest chunk of stream {@code o}: on a path whose datagrams carry at least half of
   * {@link SessionCodec#MAX_STREAM_CHUNK} (loopback, a LAN with a probed large MTU), what goes whole
   * in one datagram, so the receiver has nothing to reassemble (a 64 KiB chunk with its header does
   * not fit a 65 507-byte datagram, so it was cut into about 60 fragments sized for any path, which
   * the receiver copied together again); on smaller paths {@code MAX_STREAM_CHUNK}, cut into
   * fragments. A whole chunk that no longer fits after a path change is cut then.
   */
  private int chunkLimit(Out o) {
    int fit = out.wholeMessageBytes() - headerBound(o);
    return fit >= SessionCodec.MAX_STREAM_CHUNK / 2 ? Math.min(fit, SessionCodec.MAX_STREAM_CHUNK) : SessionCodec.MAX_STREAM_CHUNK;
  }

  /** At least the bytes of a stream message's header ({@link SessionCodec#writeStreamHeader}). */
  private static int headerBound(Out o) {
    return SessionCodec.headerBytesAtMost(o.address);
  }

  private void queue(Out o, int kind, ByteBuf bytes, int offset, int len) {
    long msgId = out.nextMsgId();
    ByteBuf encoded;
    if (len >= MessageExchange.ZERO_COPY_BYTES && MessageExchange.keepable(bytes)) { // the written bytes stay where they are: header + a slice of them
      ByteBuf header = Unpooled.buffer(headerBound(o));
      SessionCodec.writeStreamHeader(header, msgId, kind, o.id, o.lastMsgId, o.address);
      encoded = Unpooled.wrappedBuffer(header, bytes.retainedSlice(bytes.readerIndex() + offset, len));
    } else {
      encoded = Unpooled.buffer(headerBound(o) + len);
      SessionCodec.writeStream(encoded, msgId, kind, o.id, o.lastMsgId, o.address, bytes, bytes.readerIndex() + offset, len);
    }
    o.lastMsgId = msgId;
    ReliableSender.OutMessage m = out.enqueue(msgId, encoded, o);
    m.priority = o.priority;
    o.unacked++;
    long start = o.sent;
    m.onAcked = () -> {
      o.unacked--;
      if (len > 0) acked(o, start, len);
      if (o.endSent && o.unacked == 0) ended(o);
    };
  }

  /**
   * The peer acknowledged {@code len} bytes of {@code o} from offset {@code start}. The writer hears
   * only bytes acknowledged without a gap before them, so a write's future never completes while
   * one of its chunks is still to be sent again.
   */
  private static void acked(Out o, long start, int len) {
    if (start != o.ackedPrefix) {
      o.ackedAhead.put(start, len);
      return;
    }
    long before = o.ackedPrefix;
    o.ackedPrefix += len;
    if (!o.ackedAhead.isEmpty()) { // a gap just closed (the usual in-order case touches no map)
      for (Integer n; (n = o.ackedAhead.remove(o.ackedPrefix)) != null; ) o.ackedPrefix += n;
    }
    o.listener.acked(o.ackedPrefix - before);
  }

  /**
   * Its end and every message before it were acknowledged: the peer has every byte. (The end's own
   * acknowledgement says nothing about the data before it: a lost chunk may still be on its way
   * again, and the receiver hands the end over only after it.)
   */
  private void ended(Out o) {
    if (streams.remove(o.id, o)) o.listener.ended();
  }
}
