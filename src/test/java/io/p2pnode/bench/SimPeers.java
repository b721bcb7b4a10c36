package io.p2pnode.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.NatType;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Many simulated peers behind one UDP socket, speaking the coordinator protocol directly:
 * REGISTERs for peer ids {@code sim-0..sim-N} with a bounded window (lost ones re-sent), and
 * CONNECTs whose answers (to the requester) and introductions (to the target) both come back
 * here, since every simulated peer is registered from this socket.
 */
final class SimPeers implements AutoCloseable {
  private final DatagramChannel channel;
  private final Thread receiver;
  /** Outstanding requests: txn -> send time (ns). */
  private final Map<Integer, Long> pending = new ConcurrentHashMap<>();
  /** Answers: txn -> arrival time (ns) of the requester's INTRODUCE or CONNECT_FAIL. */
  final Map<Integer, Long> answered = new ConcurrentHashMap<>();
  /** Introductions to targets: token -> arrival time (ns). */
  final Map<Long, Long> introduced = new ConcurrentHashMap<>();
  /** Tokens of the answers: txn -> token (0 for CONNECT_FAIL). */
  final Map<Integer, Long> tokens = new ConcurrentHashMap<>();
  final AtomicLong acks = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  private final AtomicInteger txns = new AtomicInteger(1);
  /** One key pair for every simulated peer (named ids): the coordinator agrees one MAC key with it, not 100 000. */
  private final io.p2pnode.crypto.Identity identity = io.p2pnode.crypto.Identity.generate();
  private final io.p2pnode.wire.PeerKey key = io.p2pnode.wire.PeerKey.of(identity.publicKey());
  /** Registrations by txn, to answer their challenges. */
  private final Map<Integer, ControlMessage.Register> registers = new ConcurrentHashMap<>();
  /** MAC keys by coordinator key, and by coordinator address once it challenged us. */
  private final Map<io.p2pnode.wire.PeerKey, byte[]> macKeys = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, byte[]> macKeyAt = new ConcurrentHashMap<>();
  /** The cookie each simulated peer got: refreshes reuse it, as nodes do. */
  private final Map<String, io.p2pnode.wire.Bits128> cookies = new ConcurrentHashMap<>();

  SimPeers() throws IOException {
    channel = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 8 << 20);
    receiver = new Thread(this::receive, "sim-peers");
    receiver.setDaemon(true);
    receiver.start();
  }

  static String id(int i) {
    return "sim-" + i;
  }

  /**
   * Registers {@code sim-0..sim-(count-1)}, peer {@code i} at {@code where.apply(i)}, at most
   * {@code window} unanswered at once (re-sent after 1 s); returns the elapsed nanoseconds.
   */
  long register(int count, IntFunction<InetSocketAddress> where, int window) throws Exception {
    long start = System.nanoTime();
    Map<Integer, Integer> peerOfTxn = new ConcurrentHashMap<>();
    int next = 0;
    while (next < count || !pending.isEmpty()) {
      while (next < count && pending.size() < window) {
        int txn = txns.getAndIncrement();
        peerOfTxn.put(txn, next);
        ControlMessage.Register r = new ControlMessage.Register(txn, NatType.ENDPOINT_INDEPENDENT, id(next), key, List.of());
        InetSocketAddress to = where.apply(next);
        io.p2pnode.wire.Bits128 cookie = cookies.get(id(next));
        byte[] mk = macKeyAt.get(to);
        if (cookie != null && mk != null) {
          r = r.proven(cookie, io.p2pnode.wire.Bits128.ZERO);
          r = r.proven(cookie, io.p2pnode.punch.RegistrationProof.mac(mk, r));
        }
        registers.put(txn, r);
        pending.put(txn, System.nanoTime()); // before sending: the answer may come back at once
        send(r, to);
        next++;
      }
      long now = System.nanoTime();
      for (Map.Entry<Integer, Long> e : pending.entrySet()) {
        if (now - e.getValue() > TimeUnit.SECONDS.toNanos(1)) { // lost: ask again
          int peer = peerOfTxn.get(e.getKey());
          ControlMessage.Register again = registers.get(e.getKey());
          if (again != null) send(again, where.apply(peer)); // null: answered meanwhile
          e.setValue(now);
        }
      }
      Thread.onSpinWait();
    }
    return System.nanoTime() - start;
  }

  /** Sends CONNECT {@code from} -> {@code target} to {@code coordinator}; returns its txn. */
  int connect(String from, String target, InetSocketAddress coordinator) throws IOException {
    int txn = txns.getAndIncrement();
    pending.put(txn, System.nanoTime());
    send(new ControlMessage.Connect(txn, from, target), coordinator);
    return txn;
  }

  int outstanding() {
    return pending.size();
  }

  /** The send time of a request still outstanding or answered ({@link #connect} records it). */
  private final Map<Integer, Long> sentAt = new ConcurrentHashMap<>();

  private void send(ControlMessage m, InetSocketAddress to) throws IOException {
    ByteBuf b = ControlMessage.encode(UnpooledByteBufAllocator.DEFAULT, m, 0);
    try {
      if (m instanceof ControlMessage.Connect c) sentAt.put(c.txn(), System.nanoTime());
      channel.send(b.nioBuffer(), to);
    } finally {
      b.release();
    }
  }

  /** Nanoseconds from sending CONNECT {@code txn} until the target's introduction arrived, or -1. */
  long introductionNanos(int txn) {
    Long token = tokens.get(txn);
    Long at = token == null ? null : introduced.get(token);
    return at == null ? -1 : at - sentAt.get(txn);
  }

  private void receive() {
    ByteBuffer in = ByteBuffer.allocate(2048);
    while (channel.isOpen()) {
      try {
        in.clear();
        InetSocketAddress from = (InetSocketAddress) channel.receive(in);
        in.flip();
        long now = System.nanoTime();
        ByteBuf b = Unpooled.wrappedBuffer(in);
        FrameType type = FrameType.of(b.getUnsignedByte(1));
        b.skipBytes(FrameCodec.HEADER_BYTES);
        ControlMessage m = ControlMessage.decode(type, b);
        if (m instanceof ControlMessage.RegisterAck ack) {
          if (pending.remove(ack.txn()) != null) acks.incrementAndGet();
          registers.remove(ack.txn());
        } else if (m instanceof ControlMessage.RegisterChallenge ch && registers.containsKey(ch.txn())) {
          byte[] mk = macKeys.computeIfAbsent(ch.coordinatorKey(), k -> {
            try {
              return io.p2pnode.punch.RegistrationProof.macKey(identity.keyPair().privateKey(), k.bytes(), new byte[0]);
            } catch (io.p2pnode.crypto.CryptoException e) {
              throw new IllegalStateException(e);
            }
          });
          ControlMessage.Register r = registers.get(ch.txn()).proven(ch.cookie(), io.p2pnode.wire.Bits128.ZERO);
          r = r.proven(ch.cookie(), io.p2pnode.punch.RegistrationProof.mac(mk, r));
          registers.put(ch.txn(), r); // a re-send goes with the proof
          macKeyAt.put(from, mk);
          cookies.put(r.peerId(), ch.cookie());
          send(r, from);
        } else if (m instanceof ControlMessage.Introduce i && i.txn() == 0) {
          introduced.put(i.token(), now);
        } else if (m instanceof ControlMessage.Introduce i) {
          tokens.put(i.txn(), i.token());
          answered.put(i.txn(), now);
          pending.remove(i.txn());
        } else if (m instanceof ControlMessage.ConnectFail f) {
          tokens.put(f.txn(), 0L);
          answered.put(f.txn(), now);
          pending.remove(f.txn());
          failures.incrementAndGet();
        }
      } catch (java.nio.channels.ClosedChannelException e) {
        return;
      } catch (Exception e) {
        // not a frame we understand: ignore
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
