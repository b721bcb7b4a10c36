package io.p2pnode.bus;

import io.netty.buffer.ByteBufUtil;
import io.p2pnode.session.PeerSession;
import io.p2pnode.session.SessionHandle;
import io.p2pnode.session.SessionManager;
import io.p2pnode.dataplane.StreamSink;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The byte streams of one node (embedded API only, see {@link P2pClient#openStream} and
 * {@link P2pClient#streamHandler}): opens streams to peers through their sessions, and hands the
 * streams peers open to the handler registered for their address (none: the sender gets 404).
 * One per node, found by its Vert.x instance.
 */
public final class NodeStreams implements StreamSink {
  private static final Map<Vertx, NodeStreams> BY_VERTX = new ConcurrentHashMap<>();

  private record Registration(ContextInternal context, Handler<P2pReadStream> handler) {
  }

  private final Supplier<SessionManager> manager;
  private final String localPeerId;
  /** A reader's consumed bytes go to its session in steps of this size (see {@link P2pReadStream}). */
  private final int reportBytes;
  private final Map<String, Registration> handlers = new ConcurrentHashMap<>();

  /**
   * @param manager           the session manager (resolved lazily: it is created on another verticle's start)
   * @param streamWindowBytes this node's {@code session.streamWindowBytes}
   */
  public NodeStreams(String localPeerId, Supplier<SessionManager> manager, long streamWindowBytes) {
    this.localPeerId = localPeerId;
    this.manager = manager;
    this.reportBytes = P2pReadStream.reportBytes(streamWindowBytes);
  }

  /** Makes this the streams of the node on {@code vertx} (one node per instance). */
  public void register(Vertx vertx) {
    BY_VERTX.put(vertx, this);
  }

  /** The node on {@code vertx} stopped. */
  public void unregister(Vertx vertx) {
    BY_VERTX.remove(vertx, this);
  }

  /** The streams of the node running on {@code vertx}, or {@code null}. */
  static NodeStreams of(Vertx vertx) {
    return BY_VERTX.get(vertx);
  }

  /** Opens a byte stream to {@code address} on {@code peerId}; completes on the caller's context. */
  Future<P2pWriteStream> open(ContextInternal context, String peerId, String address, int priority) {
    String bad = check(peerId, address, priority);
    if (bad != null) return context.failedFuture(Failure.BAD_REQUEST.exception(bad));
    Promise<P2pWriteStream> result = context.promise();
    manager.get().open(peerId).compose(h -> {
      P2pWriteStream ws = new P2pWriteStream(context, h, peerId, address);
      return h.call(s -> s.openStream(address, priority, ws.listener())).map(id -> {
        ws.opened(id);
        return ws;
      });
    }).onComplete(result);
    return result.future();
  }

  private String check(String peerId, String address, int priority) {
    if (peerId == null || !io.p2pnode.config.NodeOptions.PEER_ID.matcher(peerId).matches()) return "to: \"" + peerId + "\" is not a peer id";
    if (peerId.equals(localPeerId)) return "to: cannot open a stream to this node itself";
    if (address == null || address.isEmpty() || ByteBufUtil.utf8Bytes(address) > 255) return "address: must be 1-255 bytes";
    if (Addresses.isReserved(address)) return "address: " + address + " is reserved (p2p.*)";
    if (priority < Addresses.MIN_PRIORITY || priority > Addresses.MAX_PRIORITY) {
      return "priority: must be " + Addresses.MIN_PRIORITY + "-" + Addresses.MAX_PRIORITY + ", got " + priority;
    }
    return null;
  }

  /** Streams peers open to {@code address} go to {@code handler} on {@code context}; {@code null} removes it. */
  void handle(String address, ContextInternal context, Handler<P2pReadStream> handler) {
    if (handler == null) handlers.remove(address);
    else handlers.put(address, new Registration(context, handler));
  }

  @Override
  public Inbound open(String peerId, int streamId, String address) {
    Registration r = handlers.get(address);
    if (r == null) return null;
    P2pReadStream rs = new P2pReadStream(r.context, peerId, address, reportBytes,
      n -> onSession(peerId, s -> s.streamConsumed(streamId, n)), code -> onSession(peerId, s -> s.resetInbound(streamId, code)));
    r.context.runOnContext(v -> r.handler.handle(rs));
    return rs;
  }

  /** Runs {@code action} on the session with {@code peerId}, on its thread, if there still is one. */
  private void onSession(String peerId, Consumer<PeerSession> action) {
    SessionHandle h = manager.get().existing(peerId);
    if (h != null) h.run(action);
  }
}
