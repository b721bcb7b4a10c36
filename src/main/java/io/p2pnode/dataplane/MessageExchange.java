package io.p2pnode.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.p2pnode.bus.Failure;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.BodyCodec;
import io.p2pnode.wire.BundleCodec;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.SessionCodec;
import io.p2pnode.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The application messages of one session over its reliability layer ({@link ReliableSender},
 * {@link ReliableReceiver}): outbound messages await their RESULT (bounded by
 * {@code session.maxInFlight} and {@code session.sendBufferBytes}: 429; 504 after their
 * timeout); inbound ones are handed to the {@link Deliverer} once and in order per destination
 * address (each address is a stream: see {@link StreamOrder}, {@link StreamQueues}), at most
 * {@code session.maxInFlight} at a time, and answered with a RESULT (not a notify). Single-threaded.
 */
public final class MessageExchange {
  /** The urgency of a message or stream that names none (0 most urgent to 7). */
  public static final int DEFAULT_PRIORITY = StreamQueues.DEFAULT_PRIORITY;
  /** Extra time a sender waits past the end-to-end timeout, so the remote's own 504 can come back. */
  private static final long RESULT_GRACE_MS = 1_000;
  private static final long SWEEP_MS = 50;
  /**
   * Messages handed to local consumers in one event-loop turn before the rest waits for the next
   * turn: a window of thousands that completes synchronously must not hold the loop (or the stack).
   */
  static final int MAX_DELIVERIES_PER_TURN = 512;
  /**
   * A turn's messages leave together when it ends (one flush, one {@code sendmmsg}); but a turn that
   * queues this many bytes while the pipe to the peer is (nearly) empty sends them at once, and again
   * each time it has queued twice as many as the last time, so the peer starts on the first datagrams
   * while this loop still encodes the rest, at a few more system calls per turn (the doubling). 2 KB:
   * a burst of 256 small messages (the benchmark's window) overlaps from its first few dozen;
   * measured pinned against flushing only at the turn's end, 64 B messages with 256 in flight went
   * from 0.91–1.03 to 1.19–1.24 M/s, 1 KB from 0.40–0.45 to 0.44–0.55 M/s, 64 KB +8 %. With a full
   * pipe (4 096 in flight) flushing early regardless cost a quarter of the rate: hence the
   * in-flight condition ({@link #queued}).
   */
  static final int EARLY_FLUSH_BYTES = 2048;
  /** The doubling stops here: a long turn (a large stream write) still flushes every MiB. */
  static final int MAX_EARLY_FLUSH_BYTES = 1 << 20;
  /** Streams (addresses) whose last message id a session remembers. */
  static final int MAX_STREAMS_REMEMBERED = 65_536;
  /** The stream of replies too large for a RESULT sub-frame: they take turns with the application's streams. */
  private static final Object LARGE_REPLIES = new Object();

  /** A message awaiting its RESULT. */
  private record Pending(Promise<Object> promise, long deadlineNanos, int bytes) {
  }

  private final DataPlaneDeps deps;
  private final String peerId;
  private final FrameLink link;
  private final ReliableSender sender;
  private final ReliableReceiver receiver;
  private final OutboundStreams outStreams;
  private final InboundStreams inStreams;
  private final Map<Long, Pending> pending = new LinkedHashMap<>();
  /**
   * The id of the latest reliable message to each address (stream): the next one names it as
   * {@code prev}. The least recently used are forgotten beyond {@link #MAX_STREAMS_REMEMBERED}
   * (long gone by then: a forgotten stream's next message starts it afresh).
   */
  private final Map<String, Long> lastInStream = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > MAX_STREAMS_REMEMBERED;
    }
  };
  private long pendingBytes;
  private int inboundPending;
  private long nextMsgId;
  private long nextUnreliableId;
  private long sweepTimer = -1;
  private boolean flushPending;
  /** A {@link #drain} loop is running on this thread: a completion inside it only frees room. */
  private boolean draining;
  /** Bytes queued in this turn since it began or last flushed early, and the amount that flushes early next. */
  private int queuedInTurn;
  private int earlyFlushAt = EARLY_FLUSH_BYTES;
  private boolean drainScheduled;
  /** Closed by {@link #failAll}: a callback of a delivery or timer still under way must not touch the link again. */
  private boolean closed;
  /**
   * Chunk size of a message cut in pieces: what fits a datagram on any path, the relay's included,
   * however large the current path's datagrams are (a chunk cannot be cut again once sent: the
   * session may move to the relay while it is in flight).
   */
  private final int safeChunk;

  public MessageExchange(DataPlaneDeps deps, String peerId, FrameLink link, RttEstimator rtt) {
    this.deps = deps;
    this.peerId = peerId;
    this.link = link;
    this.safeChunk = deps.maxDatagramBytes() - tagBytes(deps) - ControlMessage.RELAY_OVERHEAD - FrameCodec.HEADER_BYTES
      - BundleCodec.SUB_HEADER - BundleCodec.FRAGMENT_HEADER;
    this.sender = new ReliableSender(new ReliableSender.Output() {
      public ByteBuf newBundle(int capacity) {
        return link.newFrame(FrameType.BUNDLE, capacity, link.budget());
      }

      public void send(ByteBuf bundle) {
        link.transmit(bundle);
      }

      public int budget() {
        return link.budget();
      }

      public boolean canSend() {
        return link.open() && link.canSend();
      }

      public boolean ackDue() {
        return receiver.ackDue();
      }

      public long writeAck(ByteBuf bundle) {
        return receiver.writeAck(bundle);
      }

      public boolean ackHasNews() {
        return receiver.ackHasNews();
      }

      public void ackAcknowledged(long largest) {
        receiver.ackAcknowledged(largest);
      }

      public int ackBytes() {
        return receiver.ackBytes();
      }

      public long receiveLimit() {
        return link.receiveLimit();
      }
    }, deps.scheduler(), rtt, deps.maxDatagramBytes(), safeChunk, deps.session().windowMessages(),
      deps.session().congestion(), deps.random());
    this.receiver = new ReliableReceiver(deps.scheduler(), deps.counters(), deps.session().windowMessages(),
      deps.session().reassemblyBytesPerPeer(), deps.reassemblyBytes(), deps.session().reassemblyBytesPerNode(),
      deps.session().maxMessageBytes(), this::flush);
    this.outStreams = new OutboundStreams(new OutboundStreams.Output() {
      public long nextMsgId() {
        return ++nextMsgId;
      }

      public ReliableSender.OutMessage enqueue(long msgId, ByteBuf encoded, Object stream) {
        int size = encoded.readableBytes();
        ReliableSender.OutMessage m = new ReliableSender.OutMessage(msgId, false, encoded, chunkSize(size), stream);
        sender.enqueue(m);
        queued(size);
        return m;
      }

      public int wholeMessageBytes() {
        return MessageExchange.this.wholeMessageBytes();
      }

      public void control(FrameType type, ByteBuf body) {
        queueControl(type, body);
      }
    }, deps.counters());
    this.inStreams = new InboundStreams(peerId, deps.streams(), deps.counters(), deps.session(), this::queueControl);
  }

  /** Queues a CREDIT, STOP or RESET sub-frame (re-sent until acknowledged). */
  private void queueControl(FrameType type, ByteBuf body) {
    sender.enqueueControl(type, body);
    flushSoon();
  }

  /** Chunks of a message of {@code size} bytes: whole if it fits the current path, else cut to fit any path. */
  private int chunkSize(int size) {
    int whole = wholeMessageBytes();
    return size <= whole ? whole : safeChunk;
  }

  /** The largest encoded message that travels whole, in one datagram, on the current path. */
  private int wholeMessageBytes() {
    return link.budget() - FrameCodec.HEADER_BYTES - BundleCodec.SUB_HEADER - BundleCodec.FRAGMENT_HEADER;
  }

  // ---------------------------------------------------------------- byte streams

  /** Opens a byte stream to {@code address}; fails with 429 beyond {@code session.maxStreams}. */
  public Future<Integer> openStream(String address, int priority, OutboundStreamListener listener) {
    if (closed) return Future.failedFuture(Failure.UNREACHABLE.exception("session with " + peerId + " closed"));
    if (openStreams() >= deps.session().maxStreams()) return Future.failedFuture(tooManyStreams());
    return Future.succeededFuture(outStreams.open(address, priority, listener));
  }

  /** Bytes (and then perhaps the end) of byte stream {@code id}; false when it is not open. */
  public boolean writeStream(int id, io.vertx.core.buffer.Buffer bytes, boolean end) {
    return !closed && outStreams.write(id, bytes, end);
  }

  /** The application's writer abandons byte stream {@code id} with {@code code}; false when it is not open. */
  public boolean resetStream(int id, long code) {
    return !closed && outStreams.reset(id, code);
  }

  /** The application's reader abandons the peer's byte stream {@code id} with {@code code}; false when it is not open. */
  public boolean resetInbound(int id, long code) {
    return !closed && inStreams.reset(id, code);
  }

  /** The application's reader consumed {@code bytes} of inbound stream {@code id}. */
  public void streamConsumed(int id, long bytes) {
    if (closed) return;
    inStreams.consumed(id, bytes);
  }

  /** Streams this side has open towards the peer: addresses with messages queued, byte streams. */
  private int openStreams() {
    return sender.queuedStreams() + outStreams.size();
  }

  private ReplyException tooManyStreams() {
    return Failure.QUEUE_FULL.exception(openStreams() + " streams to " + peerId + " are open (session.maxStreams)");
  }

  // ---------------------------------------------------------------- outbound

  /**
   * Queues a message and sends what the windows allow. Fails fast with 429 or 413/400.
   *
   * @param reliable false: sent once, no result awaited; completes as soon as it is queued
   *     ({@link SessionCodec#KIND_NOTIFY} too, though reliable and ordered: no result travels back)
   */
  public Future<Object> send(int kind, String address, Object body, long timeoutMs, boolean reliable) {
    return send(kind, address, body, timeoutMs, reliable, StreamQueues.DEFAULT_PRIORITY);
  }

  /** As {@link #send(int, String, Object, long, boolean)}, at urgency {@code priority} (0 most urgent to 7). */
  public Future<Object> send(int kind, String address, Object body, long timeoutMs, boolean reliable, int priority) {
    if (!sender.hasQueued(address) && openStreams() >= deps.session().maxStreams()) {
      return Future.failedFuture(tooManyStreams());
    }
    boolean awaitsResult = reliable && kind != SessionCodec.KIND_NOTIFY;
    if (!awaitsResult && sender.queuedMessages() >= deps.session().maxInFlight()) {
      return Future.failedFuture(Failure.QUEUE_FULL.exception(sender.queuedMessages() + " messages to " + peerId
        + " wait for the congestion window (session.maxInFlight)"));
    }
    if (awaitsResult && (pending.size() >= deps.session().maxInFlight() || pendingBytes >= deps.session().sendBufferBytes())) {
      return Future.failedFuture(Failure.QUEUE_FULL.exception(pending.size() + " messages (" + pendingBytes + " bytes) to "
        + peerId + " await delivery (session.maxInFlight, session.sendBufferBytes)"));
    }
    long id = reliable ? nextMsgId + 1 : nextUnreliableId + 1;
    Long prev = reliable ? lastInStream.get(address) : null;
    ByteBuf bytes;
    try {
      bytes = encode(id, kind, timeoutMs, prev == null ? 0 : prev, address, body);
    } catch (ReplyException e) {
      return Future.failedFuture(e);
    }
    int size = bytes.readableBytes();
    ReliableSender.OutMessage m = new ReliableSender.OutMessage(id, !reliable, bytes, chunkSize(size), address);
    m.priority = priority;
    m.unconfirmed = reliable && !awaitsResult;
    Future<Object> result;
    if (reliable) {
      nextMsgId = id;
      lastInStream.put(address, id);
    } else {
      nextUnreliableId = id;
    }
    if (awaitsResult) {
      Promise<Object> promise = Promise.promise();
      pending.put(id, new Pending(promise, now() + (timeoutMs + RESULT_GRACE_MS) * 1_000_000L, size));
      pendingBytes += size;
      if (sweepTimer < 0) sweepTimer = deps.scheduler().schedule(SWEEP_MS, this::sweep);
      result = promise.future();
    } else {
      result = Future.succeededFuture(); // queued: nothing more will be heard of it
    }
    sender.enqueue(m);
    queued(size);
    return result;
  }

  /**
   * The message encoding (kept until acknowledged); 413 over {@code session.maxMessageBytes}. A
   * {@code Buffer} body of {@link #ZERO_COPY_BYTES} or more is not copied: the encoding is its header
   * and the body's own bytes (a composite buffer), so the body's one copy is the one into the sealed
   * datagram. (Through the event bus the body is this session's already: Vert.x hands a consumer its
   * own copy, or the sender handed it over with {@code Addresses.CODEC_HAND_OVER}. A body is not to be
   * changed after it was sent, as with Netty's writes.)
   */
  private ByteBuf encode(long id, int kind, long timeoutMs, long prev, String address, Object body) {
    int max = deps.session().maxMessageBytes();
    if (BodyCodec.minEncodedBytes(body) > max) throw tooLarge(BodyCodec.minEncodedBytes(body));
    ByteBuf bytes = body instanceof io.vertx.core.buffer.Buffer buffer && buffer.length() >= ZERO_COPY_BYTES
      ? ((io.vertx.core.internal.buffer.BufferInternal) buffer).getByteBuf() : null;
    if (bytes != null && keepable(bytes)) {
      ByteBuf header = Unpooled.buffer(SessionCodec.headerBytesAtMost(address));
      SessionCodec.writeBufferDataHeader(header, id, kind, timeoutMs, prev, address);
      if (header.readableBytes() + bytes.readableBytes() > max) throw tooLarge(header.readableBytes() + bytes.readableBytes());
      return Unpooled.wrappedBuffer(header, bytes.retainedSlice(bytes.readerIndex(), bytes.readableBytes()));
    }
    ByteBuf out = Unpooled.buffer(Math.min(max, 64 + address.length() + BodyCodec.minEncodedBytes(body)), max + 1);
    try {
      SessionCodec.writeData(out, id, kind, timeoutMs, prev, address, body);
    } catch (IndexOutOfBoundsException e) {
      throw tooLarge(max + 1);
    } catch (RuntimeException e) {
      throw Failure.BAD_REQUEST.exception("body: cannot be encoded (" + e.getMessage() + ")");
    }
    if (out.readableBytes() > max) throw tooLarge(out.readableBytes());
    return out;
  }

  /** Buffer bodies from this size on are sent from where they are (smaller ones are cheaper to copy than to compose). */
  static final int ZERO_COPY_BYTES = 2048;

  /**
   * Whether bytes may be kept by reference until acknowledged: an unpooled heap buffer (what Vert.x's
   * {@code Buffer}s are) stays valid as long as it is referenced. A pooled one may go back to its pool
   * and be reused while a retransmission still needs it, so it is copied.
   */
  static boolean keepable(ByteBuf bytes) {
    ByteBuf root = bytes;
    while (root.unwrap() != null) root = root.unwrap();
    return root instanceof io.netty.buffer.UnpooledHeapByteBuf;
  }

  private ReplyException tooLarge(int size) {
    return Failure.TOO_LARGE.exception("message of at least " + size + " bytes is larger than session.maxMessageBytes ("
      + deps.session().maxMessageBytes() + ")");
  }

  /** Sends what is queued and due (data, results, acknowledgements). */
  public void flush() {
    sender.flush();
  }

  /**
   * {@code bytes} more were queued to send in this turn: they leave with the turn's flush, or at
   * once when the turn has queued {@link #earlyFlushAt} bytes since it began or last sent early
   * and less than that is in flight (the peer is idle or nearly: with a full pipe, smaller and more
   * datagrams would only cost both sides more per message).
   */
  private void queued(int bytes) {
    queuedInTurn += bytes;
    if (queuedInTurn >= earlyFlushAt && sender.bytesInFlight() < earlyFlushAt && !closed) {
      queuedInTurn = 0;
      earlyFlushAt = Math.min(2 * earlyFlushAt, MAX_EARLY_FLUSH_BYTES);
      sender.flush();
      link.flushNow();
    }
    flushSoon();
  }

  /** Flushes once the current burst of sends, deliveries and arrivals is done, so they share datagrams. */
  private void flushSoon() {
    if (flushPending) return;
    flushPending = true;
    deps.scheduler().runSoon(() -> {
      flushPending = false;
      queuedInTurn = 0;
      earlyFlushAt = EARLY_FLUSH_BYTES;
      if (!closed) sender.flush();
    });
  }

  /** The path just changed: what was in flight went into the old one. */
  public void onPathChange() {
    sender.onPathChange();
  }

  private void onResult(SessionCodec.Result r) {
    Pending p = pending.remove(r.msgId());
    if (p == null) {
      deps.counters().drop(Drop.STALE_REPLY); // its answer was re-sent, or it timed out already
      return;
    }
    pendingBytes -= p.bytes;
    if (r.code() == SessionCodec.OK) p.promise.complete(r.body());
    else p.promise.fail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, r.code(), (String) r.body()));
  }

  private void sweep() {
    sweepTimer = -1;
    if (closed) return;
    long now = now();
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (now - p.deadlineNanos >= 0) {
        it.remove();
        pendingBytes -= p.bytes;
        p.promise.fail(Failure.TIMEOUT.exception("no result from " + peerId + " in time"));
      }
    }
    if (!pending.isEmpty() && link.open()) sweepTimer = deps.scheduler().schedule(SWEEP_MS, this::sweep);
  }

  /**
   * The session closed: every message awaiting its result fails with {@code failure} (503, or 404 for an
   * unknown peer); each send nobody waits for that the peer had not acknowledged is counted as
   * {@link Drop#UNCONFIRMED_SEND_FAILED}.
   */
  public void failAll(ReplyException failure) {
    closed = true;
    if (sweepTimer >= 0) deps.scheduler().cancel(sweepTimer);
    for (int lost = sender.close(); lost > 0; lost--) deps.counters().drop(Drop.UNCONFIRMED_SEND_FAILED);
    receiver.close();
    outStreams.failAll(failure);
    inStreams.failAll(failure);
    List<Pending> failed = new ArrayList<>(pending.values());
    pending.clear();
    pendingBytes = 0;
    for (Pending p : failed) p.promise.fail(failure);
  }

  /** Consecutive probe timeouts of the sender (see {@link ReliableSender#ptoCount}). */
  public int ptoCount() {
    return sender.ptoCount();
  }

  public int inFlight() {
    return pending.size();
  }

  public JsonObject toJson() {
    return sender.toJson().put("streamsOut", outStreams.size()).put("streamsIn", inStreams.size()).put("awaitingResult", pending.size()).put("inboundInDelivery", inboundPending)
      .put("inboundWaiting", receiver.waiting()).put("ackBytesSent", receiver.ackBytesWritten());
  }

  // ---------------------------------------------------------------- inbound

  /**
   * A BUNDLE frame (reader index at its payload).
   *
   * @throws WireException when malformed
   */
  public void onBundle(long pn, ByteBuf payload) {
    boolean[] eliciting = {false};
    BundleCodec.forEach(payload, (type, body) -> {
      switch (type) {
        case DATA -> {
          eliciting[0] = true;
          long msgId = WireBuf64.i64(body);
          int flags = body.readUnsignedByte();
          int index = body.readUnsignedShort();
          int count = body.readUnsignedShort();
          receiver.onFragment(msgId, flags, index, count, body, this::deliverUnreliable, this::onResult);
        }
        case RESULT -> {
          eliciting[0] = true;
          onResult(SessionCodec.readResult(body));
        }
        case ACK -> sender.onAck(BundleCodec.readAck(body));
        case PING -> {
          BundleCodec.readPing(body);
          eliciting[0] = true;
        }
        case CREDIT -> {
          eliciting[0] = true;
          outStreams.onCredit(BundleCodec.readCredit(body));
        }
        case STOP -> {
          eliciting[0] = true;
          outStreams.onStop(BundleCodec.readStop(body));
        }
        case RESET -> {
          eliciting[0] = true;
          BundleCodec.Reset r = BundleCodec.readReset(body);
          if (r.side() == BundleCodec.SIDE_WRITER) inStreams.onReset(r);
          else outStreams.onReset(r);
        }
        default -> throw new WireException("unexpected sub-frame " + type);
      }
    });
    receiver.onPacket(pn, eliciting[0]);
    drain();
    flushSoon();
  }

  /**
   * Hands over the messages that are next in order, as many as the consumer side takes, at most
   * {@link #MAX_DELIVERIES_PER_TURN} per event-loop turn. Iterative: a delivery that completes
   * synchronously re-enters only to find the loop already running, which then sees the room it freed.
   */
  private void drain() {
    if (draining || closed) return;
    draining = true;
    boolean more;
    try {
      more = receiver.drain(this::capacity, this::deliver, MAX_DELIVERIES_PER_TURN);
    } finally {
      draining = false;
    }
    if (more && !drainScheduled && link.open()) {
      drainScheduled = true;
      deps.scheduler().runSoon(() -> {
        drainScheduled = false;
        if (closed) return;
        drain();
        flushSoon();
      });
    }
  }

  private int capacity() {
    return deps.session().maxInFlight() - inboundPending;
  }

  private void deliver(SessionCodec.Data data) {
    if (data.isStream()) { // to its stream's reader, under the stream's credit: never waits for a consumer here
      inStreams.onData(data);
      return;
    }
    inboundPending++;
    deps.deliverer().deliver(peerId, data).onComplete(ar -> {
      inboundPending--;
      int code;
      Object body;
      if (ar.succeeded()) {
        code = SessionCodec.OK;
        body = data.kind() == SessionCodec.KIND_REQUEST ? ar.result() : null;
      } else {
        int c = Failure.codeOf(ar.cause());
        code = c < 1 || c > 65535 ? 500 : c;
        body = String.valueOf(ar.cause().getMessage());
      }
      if (closed || !link.open()) return;
      if (data.kind() != SessionCodec.KIND_NOTIFY) sendResult(data.msgId(), code, body);
      else if (code != SessionCodec.OK) deps.counters().drop(Drop.UNCONFIRMED_SEND_FAILED); // no one to tell but this count
      drain(); // room for the next one
      flushSoon();
    });
  }

  /** An unreliable message: handed over, never answered (its id is from another sequence than reliable ones). */
  private void deliverUnreliable(SessionCodec.Data data) {
    deps.deliverer().deliver(peerId, data);
  }

  private void sendResult(long msgId, int code, Object body) {
    if (BodyCodec.typeOf(body) < 0) {
      code = Failure.BAD_REQUEST.code();
      body = "reply body type " + body.getClass().getName() + " cannot be sent to a peer";
    }
    // encoded once, as a message of its own: [id 8][kind 1][result]. A result that fits any path
    // travels as one RESULT sub-frame (the bytes after the message header); a larger one as that
    // message, whole where the current path carries it, like any other message. No exception is
    // thrown on the way: a 1 KB reply used to overflow a capped buffer and pay for a stack trace.
    int max = deps.maxDatagramBytes() - tagBytes(deps) - ControlMessage.RELAY_OVERHEAD - FrameCodec.HEADER_BYTES - BundleCodec.SUB_HEADER;
    int limit = deps.session().maxMessageBytes();
    long id = nextMsgId + 1;
    ByteBuf out;
    if (BodyCodec.minEncodedBytes(body) + SessionCodec.RESULT_MESSAGE_BYTES > limit) {
      out = null; // not copied only to be refused
    } else {
      out = Unpooled.buffer(SessionCodec.RESULT_MESSAGE_BYTES + BodyCodec.minEncodedBytes(body) + 16);
      SessionCodec.writeResultMessage(out, id, msgId, code, body);
      int resultBytes = out.readableBytes() - SessionCodec.RESULT_MESSAGE_HEADER;
      if (resultBytes <= max) {
        sender.enqueueResult(out.skipBytes(SessionCodec.RESULT_MESSAGE_HEADER));
        queued(resultBytes);
        return;
      }
    }
    if (out == null || out.readableBytes() > limit) {
      out = Unpooled.buffer(64);
      SessionCodec.writeResultMessage(out, id, msgId, Failure.TOO_LARGE.code(), "reply larger than session.maxMessageBytes ("
        + limit + ")");
    }
    nextMsgId = id;
    sender.enqueue(new ReliableSender.OutMessage(id, false, out, chunkSize(out.readableBytes()), LARGE_REPLIES));
    queued(out.readableBytes());
  }

  private long now() {
    return deps.scheduler().clock().nanoTime();
  }

  /** What sealing adds to every frame: a chunk cut to fit any path must leave room for it. */
  private static int tagBytes(DataPlaneDeps deps) {
    return deps.sealed() ? io.p2pnode.crypto.FrameCipher.TAG_BYTES : 0;
  }

  /** Bounds-checked read for sub-frame fields. */
  private static final class WireBuf64 {
    static long i64(ByteBuf in) {
      if (in.readableBytes() < BundleCodec.FRAGMENT_HEADER) throw new WireException("truncated fragment");
      return in.readLong();
    }
  }
}
