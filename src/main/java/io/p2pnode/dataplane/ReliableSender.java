package io.p2pnode.dataplane;

import io.netty.buffer.ByteBuf;
import io.p2pnode.congestion.AckEvent;
import io.p2pnode.congestion.CongestionController;
import io.p2pnode.congestion.Pacer;
import io.p2pnode.congestion.PacingTimer;
import io.p2pnode.congestion.RateSampler;
import io.p2pnode.time.Scheduler;
import io.p2pnode.wire.BundleCodec;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The sending half of a session's reliability: messages are cut into chunks that fit any path
 * (relay included), chunks and results are packed into BUNDLE datagrams (small messages share
 * one), every packet is kept until acknowledged, and lost ones are sent again in new packets.
 *
 * <ul>
 *   <li>Loss detection (RFC 9002 style): a packet is lost when 3 later packets were acknowledged
 *       or it is older than 9/8 of the RTT; when acknowledgements stop, a probe timeout (srtt +
 *       4·rttvar + ack delay, at least {@link #MIN_PTO_MS}, doubling) sends a PING first, whose
 *       acknowledgement shows what was lost, and re-sends the oldest packet on the next one.</li>
 *   <li>Congestion control: a {@link CongestionController} ({@code session.congestion}: BBR or NewReno) fed by
 *       a {@link RateSampler}; datagrams leave through a {@link Pacer} at the controller's pacing rate, waiting on
 *       the event loop's {@link PacingTimer}.</li>
 *   <li>Flow control: new reliable messages go out only up to the receiver's advertised window
 *       (a message id); a receiver that stops consuming closes it, queues fill, senders get 429.</li>
 * </ul>
 * Single-threaded, on the session's thread.
 */
final class ReliableSender {
  static final long INITIAL_RTO_MS = 300;
  static final long MAX_ACK_DELAY_MS = 5;
  /**
   * The shortest probe timeout. RFC 9002's PTO (srtt + 4 rttvar + max ack delay) is 6 ms on
   * loopback, shorter than a busy receiver's event-loop turn or a young collection: the data
   * benchmark re-sent whole 64 KB datagrams that were never lost (hundreds of chunks a run, every
   * one also a false loss for the congestion controller). Paths with a real RTT are above it.
   */
  static final long MIN_PTO_MS = 25;
  static final int PACKET_THRESHOLD = 3;

  /** Where packets go and what else rides in them. */
  interface Output {
    /** A new BUNDLE frame (header written) for the current path. */
    ByteBuf newBundle(int capacity);

    void send(ByteBuf bundle);

    /** Largest datagram on the current path. */
    int budget();

    /** False while the path is being re-punched: nothing is sent, everything waits. */
    boolean canSend();

    /** Whether an ACK should leave now, even with no data to carry it. */
    boolean ackDue();

    /**
     * Writes the ACK of what arrived so far into the bundle, if there is anything to acknowledge;
     * returns the largest packet number it acknowledges, or -1 when it wrote none.
     */
    long writeAck(ByteBuf bundle);

    /**
     * The peer acknowledged a packet of ours that carried an ACK up to {@code largest}: it knows
     * what arrived up to there, and later ACKs need not repeat it (RFC 9000 13.2.4).
     */
    void ackAcknowledged(long largest);

    /** Bytes the ACK would take now (0 when there is nothing to acknowledge). */
    int ackBytes();

    /** Whether a packet asking for acknowledgement arrived since the last ACK (an ACK that is not due rides along only then). */
    boolean ackHasNews();

    /**
     * Most bytes in flight the peer's socket takes while its event loop is busy (its receive
     * buffer, as it told), whatever the congestion window says; {@link Long#MAX_VALUE} when unknown.
     */
    default long receiveLimit() {
      return Long.MAX_VALUE;
    }
  }

  /**
   * An outbound message, cut into chunks of {@code chunkSize}. A message that fits one datagram
   * of the current path goes whole; longer ones are cut to fit any path, the relay's smaller
   * budget included. A whole message that no longer fits (the path moved to the relay) is cut
   * again before it is re-sent: the receiver has either all of it or nothing.
   */
  static final class OutMessage {
    final long msgId;
    final boolean unreliable;
    final ByteBuf bytes;
    int count;
    int chunkSize;
    boolean[] acked;
    int nextChunk;
    int ackedChunks;
    /** The stream it belongs to (its destination address, or its byte stream): streams take turns by chunk. */
    final Object stream;
    /** Its urgency, 0 (most urgent) to 7: see {@link StreamQueues}. */
    int priority = StreamQueues.DEFAULT_PRIORITY;
    /** Run (on the session's thread) once the peer acknowledged every chunk; {@code null}: nobody asks. */
    Runnable onAcked;
    /** Reliable, but nobody waits for its result (a notify): if the session ends before it is acknowledged, only a count tells. */
    boolean unconfirmed;

    OutMessage(long msgId, boolean unreliable, ByteBuf bytes, int chunkSize, Object stream) {
      this.msgId = msgId;
      this.unreliable = unreliable;
      this.bytes = bytes;
      this.stream = stream;
      cut(chunkSize);
    }

    private void cut(int size) {
      chunkSize = size;
      count = Math.max(1, (bytes.readableBytes() + size - 1) / size);
      acked = new boolean[count];
      nextChunk = 0;
      ackedChunks = 0;
    }

    int length(int index) {
      return index < count - 1 ? chunkSize : bytes.readableBytes() - chunkSize * (count - 1);
    }
  }

  /** A chunk of a message, or a sub-frame payload ({@code msg == null}: a RESULT, CREDIT or STOP, re-sent until acknowledged). */
  private static final class Chunk {
    final OutMessage msg;
    final int index;
    final ByteBuf result;
    final FrameType type;
    boolean resultAcked;

    Chunk(OutMessage msg, int index, ByteBuf result) {
      this(msg, index, result, FrameType.RESULT);
    }

    Chunk(OutMessage msg, int index, ByteBuf result, FrameType type) {
      this.msg = msg;
      this.index = index;
      this.result = result;
      this.type = type;
    }

    int wireBytes() {
      return BundleCodec.SUB_HEADER + (msg == null ? result.readableBytes() : BundleCodec.FRAGMENT_HEADER + msg.length(index));
    }

    /** Acknowledged (through any copy): never to be sent again. */
    boolean done() {
      return msg != null ? msg.acked[index] : resultAcked;
    }

    /** Marks it acknowledged; frees the bytes once nothing needs them. */
    void ack() {
      if (msg == null) {
        if (!resultAcked) {
          resultAcked = true;
          result.release();
        }
      } else if (!msg.acked[index]) {
        msg.acked[index] = true;
        if (++msg.ackedChunks == msg.count) {
          msg.bytes.release();
          if (msg.onAcked != null) msg.onAcked.run();
        }
      }
    }
  }

  private static final Chunk[] NO_CHUNKS = new Chunk[0];

  /** A packet in flight; {@code ackLargest}: the largest packet number the ACK it carried acknowledged (-1: none). */
  private record Sent(Chunk[] chunks, int bytes, long sentAtNanos, RateSampler.PacketState rate, long ackLargest) {
  }

  private final Output out;
  private final Scheduler scheduler;
  private final RttEstimator rtt;
  private final int mtu;
  private final int safeChunk;
  private final ArrayDeque<Chunk> lost = new ArrayDeque<>();
  private final ArrayDeque<Chunk> results = new ArrayDeque<>();
  private final StreamQueues fresh = new StreamQueues();
  /** After {@link #close}: timers and wake-ups still under way send nothing. */
  private boolean closed;
  /** Whether a new message may go now: within the receiver's window (unreliable ones always). */
  private final java.util.function.Predicate<OutMessage> mayGo = m -> m.unreliable || m.msgId <= this.peerWindow;
  private final TreeMap<Long, Sent> inFlight = new TreeMap<>();
  private final RateSampler sampler = new RateSampler();
  private final CongestionController cc;
  private final Pacer pacer = new Pacer();
  private PacingTimer pacingTimer;
  private boolean pacingWait;
  private long bytesInFlight;
  private long largestSentPn = -1;
  private long largestAcked = -1;
  private long peerWindow;
  private int ptoCount;
  private long ptoTimer = -1;
  private long retransmitted;
  /** PINGs sent as the first probe after a probe timeout. */
  private long pings;
  private long lostPackets;
  /** Bytes of datagrams the peer acknowledged: the dashboard's throughput. */
  private long bytesAcked;
  /** Packet numbers recently declared lost (bounded): an ACK that names one shows the loss was spurious (reordering, late ACK). */
  private final java.util.TreeSet<Long> declaredLost = new java.util.TreeSet<>();
  private long spuriousLosses;

  /**
   * @param mtu           the configured datagram budget (cwnd counts in it)
   * @param safeChunk     chunk size that fits a datagram on any path (relay wrapper included)
   * @param initialWindow message ids the receiver accepts before its first ACK
   * @param congestion    the controller's name ({@code session.congestion})
   * @param random        the controller's randomness (BBR's probing)
   */
  ReliableSender(Output out, Scheduler scheduler, RttEstimator rtt, int mtu, int safeChunk, long initialWindow,
                 String congestion, Random random) {
    this.out = out;
    this.scheduler = scheduler;
    this.rtt = rtt;
    this.mtu = mtu;
    this.safeChunk = safeChunk;
    this.peerWindow = initialWindow;
    this.cc = CongestionController.of(congestion, mtu, sampler, random, now());
  }

  /** Queues a message; call {@link #flush} to send what the windows allow. */
  void enqueue(OutMessage m) {
    fresh.add(m);
    freshBytes += m.bytes.readableBytes();
  }

  /** Queues a RESULT payload (sent ahead of new data, re-sent until acknowledged). */
  void enqueueResult(ByteBuf payload) {
    results.add(new Chunk(null, -1, payload));
  }

  /** Queues a CREDIT or STOP sub-frame body: like a result, ahead of new data and re-sent until acknowledged. */
  void enqueueControl(FrameType type, ByteBuf payload) {
    results.add(new Chunk(null, -1, payload, type));
  }

  /** Sends as much as the congestion and flow windows allow, plus a due ACK. */
  void flush() {
    flush(false);
  }

  private void flush(boolean probe) {
    if (closed || !out.canSend()) return;
    boolean allowOne = probe;
    while (true) {
      boolean cwndOpen = bytesInFlight < Math.min(cc.cwnd(), out.receiveLimit()) || allowOne;
      Chunk next = cwndOpen ? peek() : null;
      if (next != null && !allowOne && !paced()) next = null;
      boolean due = out.ackDue();
      if (next == null) noteLimit(cwndOpen);
      if (next == null && !due) return;
      ByteBuf b = out.newBundle(bundleRoom(next));
      long pn = FrameCodec.packetNumber(b);
      // a due ACK goes first; otherwise it only rides along where the data leaves room
      long ackLargest = due ? out.writeAck(b) : -1;
      int space = out.budget() - b.writerIndex();
      int bytes = 0;
      int n = 0;
      Chunk[] chunks = scratch(space);
      while (next != null && next.wireBytes() <= space - bytes && n < chunks.length) {
        take(next);
        write(b, next);
        bytes += next.wireBytes();
        if (next.msg == null || !next.msg.unreliable) chunks[n++] = next;
        sentOnce(next);
        next = peek();
      }
      // an ACK that is not due rides along where there is room, but only if it tells the peer
      // something new: repeating the same one in every datagram took a fifth of a lossy link
      if (ackLargest < 0 && bytes > 0 && out.ackHasNews() && out.ackBytes() <= out.budget() - b.writerIndex()) {
        ackLargest = out.writeAck(b);
      }
      if (bytes == 0) { // nothing fitted beside the ACK: the ACK leaves alone, the chunk takes the next datagram
        if (ackLargest >= 0) {
          out.send(b);
          allowOne = false;
          continue;
        }
        b.release();
        return;
      }
      if (n > 0) {
        Chunk[] kept = new Chunk[n];
        System.arraycopy(chunks, 0, kept, 0, n);
        java.util.Arrays.fill(chunks, 0, n, null); // the scratch keeps no message alive
        track(pn, kept, b.readableBytes(), ackLargest);
        pacer.onSent(b.readableBytes(), cc.pacingRate());
        armPto();
      }
      out.send(b);
      allowOne = false;
    }
  }

  /** A packet that must be acknowledged leaves: in flight until its ACK, or until declared lost. */
  private void track(long pn, Chunk[] chunks, int size, long ackLargest) {
    long now = now();
    bytesInFlight += size;
    inFlight.put(pn, new Sent(chunks, size, now, sampler.onSent(now, size, bytesInFlight), ackLargest));
    largestSentPn = Math.max(largestSentPn, pn);
    cc.onPacketSent(pn, size, bytesInFlight, now);
  }

  /**
   * The first probe after a probe timeout: a datagram with a PING (and a due ACK) only, beyond the
   * windows (RFC 9002 6.2.4 allows a PING as the probe). Its acknowledgement either acknowledges
   * what was only late (a receiver that was not scheduled in time: nothing is sent again, nothing
   * counts as lost) or, acknowledging a packet sent after the missing ones, lets loss detection
   * find them by time. Returns false when the path cannot send now.
   */
  private boolean sendPing() {
    if (!out.canSend()) return false;
    ByteBuf b = out.newBundle(Math.min(out.budget(), 256));
    long pn = FrameCodec.packetNumber(b);
    long ackLargest = out.ackDue() && out.ackBytes() + BundleCodec.SUB_HEADER <= out.budget() - b.writerIndex() ? out.writeAck(b) : -1;
    BundleCodec.writePing(b);
    track(pn, NO_CHUNKS, b.readableBytes(), ackLargest);
    out.send(b);
    pings++;
    return true;
  }

  /**
   * The chunks of the datagram being filled: room for as many as {@code space} bytes can hold (a
   * sub-frame takes at least {@link #MIN_SUB_FRAME_BYTES}), so a 64 KB datagram of a probed path
   * packs hundreds of small messages. Reused: copied out once the datagram is complete.
   */
  private Chunk[] scratch(int space) {
    int need = Math.max(16, space / MIN_SUB_FRAME_BYTES + 1);
    if (chunkScratch.length < need) chunkScratch = new Chunk[need];
    return chunkScratch;
  }

  /** The smallest sub-frame a datagram carries: a RESULT with a one-byte body. */
  private static final int MIN_SUB_FRAME_BYTES = BundleCodec.SUB_HEADER + 8 + 2 + 1;
  private Chunk[] chunkScratch = new Chunk[16];
  /** Whether the controller heard the path's RTT (once per flow: {@link CongestionController#onPathRtt}). */
  private boolean pathRttGiven;

  /** Whether the pacer lets a datagram leave now; if not, wakes this sender when it will. */
  private boolean paced() {
    long now = now();
    if (!pathRttGiven && rtt.hasSample()) { // the handshake's RTT, before the controller's own samples
      pathRttGiven = true;
      cc.onPathRtt(rtt.srttNanos());
    }
    long rate = cc.pacingRate();
    if (pacer.canSend(now, rate, cc.sendQuantum())) return true;
    if (!pacingWait) {
      pacingWait = true;
      if (pacingTimer == null) pacingTimer = PacingTimer.forCurrentLoop(scheduler);
      pacingTimer.wakeAt(pacer.nextSendTime(now, rate, cc.sendQuantum()), () -> {
        pacingWait = false;
        flush();
      });
    }
    return false;
  }

  /** Nothing more leaves now: record why, for the delivery-rate samples. */
  private void noteLimit(boolean cwndOpen) {
    if (!cwndOpen) sampler.setCwndLimited(true);
    else if (!pacingWait && peek() == null) sampler.markAppLimited(bytesInFlight);
  }

  /**
   * How much room a new datagram gets at first: about what is waiting, up to a whole datagram. Grown
   * from a few hundred bytes, a 64 KB bundle was reallocated and copied 8 times (3 % of a 64 KB
   * sender's CPU); a whole datagram for every small request is more than the allocator caches.
   */
  private int bundleRoom(Chunk next) {
    if (next == null) return Math.min(out.budget(), 256);
    long waiting = lost.isEmpty() && results.isEmpty() ? 256 + freshBytes + CHUNK_FRAMING_BYTES * (long) fresh.size() : Long.MAX_VALUE;
    return (int) Math.min(out.budget(), waiting);
  }

  /** Framing of a chunk in a datagram (sub-frame and fragment headers), rounded up: for {@link #bundleRoom}. */
  private static final int CHUNK_FRAMING_BYTES = 32;
  /** Bytes of the messages in {@link #fresh} not yet sent (a message partly sent counts what is left). */
  private long freshBytes;

  /** The next chunk to send: lost ones first, then results, then new messages within the peer's window. */
  private Chunk peek() {
    while (!lost.isEmpty() && lost.peek().done()) lost.poll(); // acknowledged through another copy meanwhile
    if (!lost.isEmpty()) {
      Chunk c = lost.peek();
      if (c.msg != null && c.msg.count == 1 && !fits(c)) { // a whole message, now on a smaller path: cut it
        lost.poll();
        c.msg.cut(safeChunk);
        for (int i = c.msg.count - 1; i >= 0; i--) lost.addFirst(new Chunk(c.msg, i, null));
        c.msg.nextChunk = c.msg.count;
      }
      return lost.peek();
    }
    if (!results.isEmpty()) return results.peek();
    OutMessage m = fresh.peek(mayGo);
    if (m == null) return null;
    if (m.count == 1 && m.nextChunk == 0 && !fits(new Chunk(m, 0, null))) m.cut(safeChunk);
    return new Chunk(m, m.nextChunk, null);
  }

  private boolean fits(Chunk c) {
    return FrameCodec.HEADER_BYTES + c.wireBytes() <= out.budget();
  }

  private void take(Chunk c) {
    if (!lost.isEmpty() && lost.peek() == c) {
      lost.poll();
      retransmitted++;
    } else if (!results.isEmpty() && results.peek() == c) {
      results.poll();
    } else {
      fresh.taken(c.msg);
      freshBytes -= c.msg.length(c.index);
    }
  }

  /** After writing: an unreliable message is never acknowledged, so its bytes go with its last chunk. */
  private static void sentOnce(Chunk c) {
    if (c.msg != null && c.msg.unreliable && c.index == c.msg.count - 1) c.msg.bytes.release();
  }

  private static void write(ByteBuf b, Chunk c) {
    if (c.msg == null) {
      int at = BundleCodec.beginSubFrame(b, c.type);
      b.writeBytes(c.result, c.result.readerIndex(), c.result.readableBytes());
      BundleCodec.endSubFrame(b, at);
    } else {
      OutMessage m = c.msg;
      BundleCodec.writeFragment(b, m.msgId, m.unreliable ? BundleCodec.FLAG_UNRELIABLE : 0, c.index, m.count, m.bytes,
        m.bytes.readerIndex() + c.index * m.chunkSize, m.length(c.index));
    }
  }

  /** An ACK from the peer. */
  void onAck(io.p2pnode.wire.BundleCodec.Ack a) {
    peerWindow = Math.max(peerWindow, a.window());
    long now = now();
    long[] r = a.ranges();
    Sent largestNewly = null;
    long delivered = 0;
    long packetDelivered = 0;
    long newestAcked = -1;
    long ackOfAck = -1;
    boolean dataAcked = false;
    sampler.beginAck();
    for (int i = 0; i < r.length; i += 2) {
      if (!declaredLost.isEmpty()) {
        java.util.NavigableSet<Long> late = declaredLost.subSet(r[i], true, r[i + 1], true);
        spuriousLosses += late.size();
        late.clear();
      }
      Map<Long, Sent> acked = inFlight.subMap(r[i], true, r[i + 1], true);
      for (Iterator<Map.Entry<Long, Sent>> it = acked.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Long, Sent> e = it.next();
        Sent s = e.getValue();
        if (e.getKey() == a.largest()) largestNewly = s;
        it.remove();
        bytesInFlight -= s.bytes;
        bytesAcked += s.bytes;
        for (Chunk c : s.chunks) c.ack();
        dataAcked |= s.chunks.length > 0;
        sampler.onAcked(s.rate, now);
        cc.onPacketAcked(e.getKey(), s.bytes, now);
        delivered += s.bytes;
        packetDelivered = Math.max(packetDelivered, s.rate.delivered());
        newestAcked = Math.max(newestAcked, e.getKey());
        ackOfAck = Math.max(ackOfAck, s.ackLargest);
      }
    }
    if (ackOfAck >= 0) out.ackAcknowledged(ackOfAck);
    long rttSample = -1;
    if (largestNewly != null) {
      long sample = now - largestNewly.sentAtNanos - Math.min(a.ackDelayMicros(), MAX_ACK_DELAY_MS * 1000) * 1000L;
      rttSample = Math.max(sample, now - largestNewly.sentAtNanos - MAX_ACK_DELAY_MS * 1_000_000L);
      rtt.sample(rttSample);
    }
    if (delivered > 0) sampler.endAck(rttSample);
    largestAcked = Math.max(largestAcked, a.largest());
    long lostBytes = detectLoss(now);
    cc.onAck(new AckEvent(delivered, lostBytes, packetDelivered, rttSample, newestAcked, bytesInFlight), now);
    // an ACK of probe PINGs alone does not end the timeouts: large datagrams may not get through
    // while small ones do (PeerSession asks the path MTU to check after 2 timeouts in a row)
    if (dataAcked) ptoCount = 0;
    armPto();
    flush();
  }

  /** Declares lost what is too far behind the newest acknowledged packet or too old; returns the bytes lost. */
  private long detectLoss(long now) {
    long threshold = (long) (1.125 * Math.max(rtt.hasSample() ? rtt.srttNanos() : INITIAL_RTO_MS * 1_000_000L, rtt.latestNanos()));
    long largestLost = -1;
    long lostBytes = 0;
    for (Iterator<Map.Entry<Long, Sent>> it = inFlight.headMap(largestAcked, false).entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Sent> e = it.next();
      Sent s = e.getValue();
      if (largestAcked - e.getKey() >= PACKET_THRESHOLD || now - s.sentAtNanos >= threshold) {
        it.remove();
        bytesInFlight -= s.bytes;
        lostPackets++;
        declaredLost.add(e.getKey());
        if (declaredLost.size() > 4096) declaredLost.pollFirst();
        lostBytes += s.bytes;
        requeue(s);
        sampler.onLost(s.bytes);
        cc.onPacketLost(e.getKey(), s.rate, now);
        largestLost = e.getKey();
      }
    }
    if (largestLost >= 0) cc.onCongestionEvent(largestLost, largestSentPn, now);
    return lostBytes;
  }

  private void requeue(Sent s) {
    for (Chunk c : s.chunks) {
      if (!c.done()) lost.add(c);
    }
  }

  private void armPto() {
    if (ptoTimer >= 0) scheduler.cancel(ptoTimer);
    ptoTimer = -1;
    if (inFlight.isEmpty()) return;
    long base = rtt.hasSample() ? rtt.srttNanos() / 1_000_000L + Math.max(1, 4 * rtt.rttvarNanos() / 1_000_000L) : INITIAL_RTO_MS;
    long pto = Math.max(MIN_PTO_MS, base + MAX_ACK_DELAY_MS) << Math.min(ptoCount, 10);
    ptoTimer = scheduler.schedule(Math.max(1, pto), this::onPto);
  }

  /** No acknowledgement for a while: send the oldest unacknowledged packet's content again, beyond the window if need be. */
  private void onPto() {
    ptoTimer = -1;
    if (closed) return;
    if (inFlight.isEmpty()) return;
    ptoCount++;
    if (ptoCount == 1 && sendPing()) { // a PING first: a late ACK is no loss (ReliabilityTest)
      armPto();
      return;
    }
    Map.Entry<Long, Sent> oldest = inFlight.pollFirstEntry();
    bytesInFlight -= oldest.getValue().bytes;
    requeue(oldest.getValue());
    sampler.onLost(oldest.getValue().bytes);
    cc.onPacketLost(oldest.getKey(), oldest.getValue().rate, now());
    flush(true);
    armPto();
  }

  /** The path changed: everything in flight went into the old path; send it again on the new one. */
  void onPathChange() {
    for (Sent s : inFlight.values()) requeue(s);
    inFlight.clear();
    bytesInFlight = 0;
    ptoCount = 0;
    sampler.reset();
    cc.reset(now());
    pathRttGiven = false;
    flush();
  }

  /**
   * The session closed: drop everything and free the buffers (heap buffers: the collector takes them).
   *
   * @return how many {@link OutMessage#unconfirmed} messages the peer had not acknowledged whole (queued,
   *     in flight or waiting to be sent again): lost without anyone to tell
   */
  int close() {
    java.util.Set<OutMessage> unacked = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    java.util.function.Consumer<Chunk> note = c -> {
      if (c.msg != null && c.msg.unconfirmed && c.msg.ackedChunks < c.msg.count) unacked.add(c.msg);
    };
    fresh.forEach(m -> {
      if (m.unconfirmed) unacked.add(m);
    });
    for (Sent s : inFlight.values()) {
      for (Chunk c : s.chunks) note.accept(c);
    }
    lost.forEach(note);
    closed = true;
    if (ptoTimer >= 0) scheduler.cancel(ptoTimer);
    ptoTimer = -1;
    fresh.clear();
    freshBytes = 0;
    inFlight.clear();
    lost.clear();
    results.clear();
    return unacked.size();
  }

  /** Bytes sent and not yet acknowledged (nor declared lost). */
  long bytesInFlight() {
    return bytesInFlight;
  }

  /** Probe timeouts since the last acknowledgement: 2 or more with large datagrams suggests the path stopped carrying them. */
  int ptoCount() {
    return ptoCount;
  }

  /** Bytes of messages and results not yet acknowledged, for the send-buffer bound. */
  int queuedMessages() {
    return fresh.size();
  }

  /** Streams with messages not yet sent whole. */
  int queuedStreams() {
    return fresh.streams();
  }

  /** Whether {@code stream} has messages not yet sent whole. */
  boolean hasQueued(Object stream) {
    return fresh.has(stream);
  }

  /** Statistics for {@code p2p.peers}. */
  io.vertx.core.json.JsonObject toJson() {
    return new io.vertx.core.json.JsonObject().put("cwndBytes", cc.cwnd()).put("congestion", cc.toJson())
      .put("pacerWaits", pacer.waits()).put("deliveredBytes", sampler.delivered()).put("lostBytes", sampler.lost())
      .put("deliveryRateBytesPerSec", sampler.deliveryRate()).put("bytesInFlight", bytesInFlight)
      .put("packetsInFlight", inFlight.size()).put("lostPackets", lostPackets).put("spuriousLosses", spuriousLosses).put("retransmittedChunks", retransmitted)
      .put("probePings", pings).put("probeTimeouts", ptoCount)
      .put("bytesAcked", bytesAcked).put("peerWindow", peerWindow).put("queuedMessages", fresh.size()).put("lostQueued", lost.size())
      .put("resultsQueued", results.size());
  }

  private long now() {
    return scheduler.clock().nanoTime();
  }

}
