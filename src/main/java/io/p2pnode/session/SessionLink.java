package io.p2pnode.session;

import io.netty.buffer.ByteBuf;
import io.p2pnode.config.Endpoints;
import io.p2pnode.dataplane.FrameLink;
import io.p2pnode.dataplane.PathMtu;
import io.p2pnode.dataplane.SessionCrypto;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.transport.RelayEndpoint;
import io.p2pnode.transport.TcpEndpoint;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.SessionCodec;
import io.p2pnode.wire.WireException;

import java.net.InetSocketAddress;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One session's link to its current path, the {@link FrameLink} its data plane writes to: frames
 * with the peer's session id and the next packet number, sealed, and the way out. A direct path
 * gets its own connected socket (the UDP accept model, {@link PathSockets}), or keeps the birthday
 * socket a hard-NAT probe reached; a relay endpoint gets its frames wrapped in RELAY for the
 * coordinator as it is reached now; everything else leaves through the node's listener socket. The
 * connected socket's size limits feed the path MTU search, whose probes this link sends and answers.
 * Single-threaded, on the session's context.
 */
final class SessionLink implements FrameLink {
  private static final Logger LOG = Logger.getLogger("p2p.session");
  /** How long an ICMP port unreachable waits for a goodbye that may be queued behind it. */
  static final long UNREACHABLE_GRACE_MS = 50;

  private final String peerId;
  private final String localPeerId;
  private final int maxDatagramBytes;
  private final Scheduler scheduler;
  private final PacketSocket listener;
  private final PathFinder finder;
  private final SessionCrypto crypto;
  private final PathMtu pmtu;
  private final Supplier<PeerSession.State> session;
  private final Consumer<String> gone;
  private PathSockets pathSockets;
  private TcpPaths tcpPaths;
  private HardNatPunch hard;
  private PacketSocket pathSocket;
  private long pathEpoch;
  private long packetNumber;
  private long lastSent;

  /**
   * @param session the session's lifecycle state now
   * @param gone    closes the session with the reason (the peer's port is closed)
   */
  SessionLink(SessionDeps deps, String peerId, PacketSocket listener, PathFinder finder, SessionCrypto crypto, PathMtu pmtu,
              Supplier<PeerSession.State> session, Consumer<String> gone) {
    this.peerId = peerId;
    this.crypto = crypto;
    this.session = session;
    this.localPeerId = deps.localPeerId();
    this.maxDatagramBytes = deps.maxDatagramBytes();
    this.scheduler = deps.scheduler();
    this.listener = listener;
    this.finder = finder;
    this.pmtu = pmtu;
    this.gone = gone;
    this.lastSent = scheduler.clock().nanoTime();
  }

  // ---------------------------------------------------------------- frames

  /** A frame for the current path: header with the peer's session id and the next packet number. */
  @Override
  public ByteBuf newFrame(FrameType type, int initialCapacity, int maxCapacity) {
    // room for the AEAD tag sealing appends. A frame that will be sealed lives on the heap: AES-GCM
    // seals a heap array in place, where a direct frame went through two scratch copies; the socket
    // copies it into native memory once (measured: 4 copies of each 64 KB datagram became 2)
    int max = maxCapacity == Integer.MAX_VALUE ? maxCapacity : maxCapacity + crypto.overhead();
    // the tag too from the start: a full frame grown by 16 bytes at sealing was copied whole once more
    int initial = (int) Math.min((long) initialCapacity + crypto.overhead(), max);
    ByteBuf out = crypto.overhead() > 0 ? listener.alloc().heapBuffer(initial, max)
      : listener.alloc().directBuffer(initial, max);
    FrameCodec.writeHeader(out, type, 0, finder.remoteSessionId(), ++packetNumber);
    return out;
  }

  /** A frame of at most {@code capacity} bytes to begin with, growing as needed. */
  ByteBuf header(FrameType type, int capacity) {
    return newFrame(type, capacity, Integer.MAX_VALUE);
  }

  /** Seals {@code out} and sends it on the current path. */
  @Override
  public void transmit(ByteBuf out) {
    if (!crypto.seal(out)) {
      out.release();
      return;
    }
    lastSent = scheduler.clock().nanoTime();
    send(out, finder.remote());
  }

  @Override
  public void flushNow() {
    if (pathSocket != null) pathSocket.flush();
    listener.flush(); // the relay's way, and the path's while it has no socket of its own
  }

  /** When the last frame left, nanoseconds on the session's clock. */
  long lastSent() {
    return lastSent;
  }

  @Override
  public int budget() {
    return budget(crypto.overhead());
  }

  @Override
  public boolean open() {
    return session.get() != PeerSession.State.CLOSED;
  }

  @Override
  public boolean canSend() {
    return session.get() == PeerSession.State.UP && !finder.recovering() && crypto.ready();
  }

  @Override
  public long receiveLimit() {
    return pathSocket == null ? Long.MAX_VALUE : pmtu.receiveLimit();
  }

  /** A path MTU probe: a sealed frame padded so that its datagram is {@code size} bytes. */
  void sendProbe(int size) {
    if (session.get() != PeerSession.State.UP || !crypto.ready()) return; // its timeout counts it lost
    int padding = size - FrameCodec.HEADER_BYTES - crypto.overhead() - SessionCodec.PROBE_HEADER;
    ByteBuf out = newFrame(FrameType.PMTU_PROBE, size, size - crypto.overhead());
    SessionCodec.writeProbe(out, size, padding);
    transmit(out);
  }

  /**
   * A probe arrived: it must be as large as it says (a relay or TCP path carries no probes), and the
   * answer says which datagrams reach us on this path: a connected socket reads up to
   * {@code listen.maxPathDatagramBytes}, a listener only {@code listen.maxDatagramBytes}.
   */
  void answerProbe(ByteBuf frame) {
    int arrived = FrameCodec.HEADER_BYTES + frame.readableBytes() + crypto.overhead(); // the tag was taken off by opening
    int claimed = SessionCodec.readProbe(frame);
    if (claimed != arrived) throw new WireException("PMTU_PROBE of " + arrived + " B claims " + claimed);
    int readable = pathSocket != null && pathSocket.readLimit() > 0 ? pathSocket.readLimit() : maxDatagramBytes;
    ByteBuf out = header(FrameType.PMTU_ACK, FrameCodec.HEADER_BYTES + SessionCodec.PROBE_ACK_BYTES);
    SessionCodec.writeProbeAck(out, claimed, Math.min(readable, 65_535), pathSocket == null ? 0 : pathSocket.receiveBufferBytes());
    transmit(out);
  }

  // ---------------------------------------------------------------- sockets

  /** A birthday socket of a hard-NAT try that a probe of the peer reached becomes the path's socket. */
  void hardNat(HardNatPunch punch) {
    this.hard = punch;
  }

  /** Relayed frames go to the coordinator over its registration connection when it has one now. */
  void tcpPaths(TcpPaths paths) {
    this.tcpPaths = paths;
  }

  /** Use connected per-peer sockets for direct paths; without, everything goes through the listener socket. */
  void pathSockets(PathSockets sockets) {
    this.pathSockets = sockets;
  }

  /** A connected socket for the direct path just locked; on failure the session keeps sending through the listener socket. */
  void openSocket() {
    closeSocket();
    InetSocketAddress to = finder.remote();
    PacketSocket probed = hard == null ? null : hard.take(to);
    if (probed != null) {
      pathSocket = probed; // the birthday socket the peer's probe reached: the only mapping towards it
      long epoch = ++pathEpoch;
      // connected from now on, as in the accept model: only the peer's datagrams, ICMP for it
      probed.connectTo(to, this::onUnreachable).onComplete(ar -> {
        if (ar.failed()) {
          LOG.fine(() -> "session " + peerId + ": the probed socket stays unconnected (" + ar.cause().getMessage() + ")");
        } else if (epoch == pathEpoch && pathSocket == probed) {
          pmtu.pathUp(Math.min(probed.firstHopMaxDatagram(), probed.readLimit()));
        }
      });
      return;
    }
    if (pathSockets == null || to instanceof RelayEndpoint || to instanceof TcpEndpoint) return;
    long epoch = ++pathEpoch;
    pathSockets.open(to, this::onUnreachable).onComplete(ar -> {
      if (ar.failed()) {
        LOG.fine(() -> "session " + peerId + ": no connected socket (" + ar.cause().getMessage() + ")");
      } else if (epoch != pathEpoch || !open() || !RelayEndpoint.same(finder.remote(), to)) {
        ar.result().close(); // the path moved on meanwhile
      } else {
        pathSocket = ar.result();
        int ceiling = Math.min(pathSocket.firstHopMaxDatagram(), pathSocket.readLimit());
        pmtu.pathUp(ceiling);
      }
    });
  }

  /** Closes the connected socket (if any); the path MTU falls back to the base. */
  void closeSocket() {
    pmtu.pathDown();
    pathEpoch++;
    if (pathSocket != null) pathSocket.close();
    pathSocket = null;
  }

  /** ICMP port unreachable on the connected socket: the peer's port is closed, it is gone. */
  private void onUnreachable() {
    // a peer that stops says goodbye, then closes its port: our packet crossing that goodbye comes
    // back as ICMP, which the kernel may report before the goodbye is read; let the goodbye win
    InetSocketAddress at = finder.remote();
    scheduler.schedule(UNREACHABLE_GRACE_MS, () -> {
      if (RelayEndpoint.same(finder.remote(), at)) gone.accept("ICMP port unreachable from " + Endpoints.format(at)); // else it moved on
    });
  }

  /**
   * Sends a whole frame to {@code to}, wrapped in RELAY when {@code to} is a relay endpoint; a
   * {@link TcpEndpoint} (or a relay reached through one) goes over its TCP connection.
   */
  void send(ByteBuf frame, InetSocketAddress to) {
    PacketSocket probed = hard == null ? null : hard.socketFor(to); // while a hard-NAT try runs
    if (probed != null) {
      probed.send(frame, to);
    } else if (pathSocket != null && !(to instanceof RelayEndpoint) && !(to instanceof TcpEndpoint)
      && RelayEndpoint.same(to, finder.remote())) {
      pathSocket.send(frame, to);
    } else if (to instanceof RelayEndpoint r) {
      byte[] inner = new byte[frame.readableBytes()];
      frame.readBytes(inner);
      frame.release();
      listener.send(ControlMessage.encode(listener.alloc(), new ControlMessage.Relay(localPeerId, r.peerId(), inner), 0),
        tcpPaths == null ? r.coordinator() : tcpPaths.coordinatorNow(r.coordinator())); // as the coordinator is reached now
    } else {
      listener.send(frame, to);
    }
  }

  /**
   * The frame size budget of the current path: what its path MTU search confirmed on a direct path
   * with a connected socket, else {@code listen.maxDatagramBytes}; a relay wrapper takes its share.
   *
   * @param overhead what sealing adds to a frame
   */
  private int budget(int overhead) {
    if (pathSocket != null && pmtu.current() > maxDatagramBytes) return pmtu.current() - overhead;
    return maxDatagramBytes - overhead - (finder.remote() instanceof RelayEndpoint ? ControlMessage.RELAY_OVERHEAD : 0);
  }

  /** Whether the path has its connected socket. */
  boolean connected() {
    return pathSocket != null;
  }
}
