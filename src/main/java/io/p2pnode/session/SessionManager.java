package io.p2pnode.session;

import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.Failure;
import io.p2pnode.config.Endpoints;
import io.p2pnode.punch.RendezvousClient;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.ControlMessage.Hello;
import io.p2pnode.wire.ControlMessage.Introduce;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * Creates, finds and retires sessions, one per remote peer, through a {@link SessionHost}. Its
 * maps are read from any thread (listeners route by session id, the API looks up peers); they
 * change only on the manager's executor (the control context).
 */
public final class SessionManager implements SessionListener {
  private final SessionDeps deps;
  private final SessionHost host;
  private final RendezvousClient rendezvous;
  private final Executor executor;
  private final BiConsumer<String, JsonObject> events;
  private final Map<String, Future<SessionHandle>> byPeer = new ConcurrentHashMap<>();
  private final Map<Integer, SessionHandle> bySessionId;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param routes   session id → owner; shared with the listeners, which route frames through it
   * @param executor runs tasks on the manager's thread (the control context)
   * @param events   publishes {@code p2p.peer.up} / {@code .down} / {@code p2p.path.changed}
   */
  public SessionManager(SessionDeps deps, SessionHost host, RendezvousClient rendezvous,
                        Map<Integer, SessionHandle> routes, Executor executor, BiConsumer<String, JsonObject> events) {
    this.deps = deps;
    this.host = host;
    this.rendezvous = rendezvous;
    this.bySessionId = routes;
    this.executor = executor;
    this.events = events;
  }

  /**
   * The session with {@code peerId} once it is up: at once if it is, else after an introduction
   * and punching. Fails with 400 (own id), 404 (unknown peer), 503 (unreachable). Any thread.
   */
  public Future<SessionHandle> connect(String peerId) {
    Future<SessionHandle> f = byPeer.get(peerId);
    // a fresh future: callbacks of the cached one would run on the control context
    if (f != null && f.succeeded() && f.result().isUp()) return Future.succeededFuture(f.result());
    Promise<SessionHandle> p = Promise.promise();
    io.netty.channel.EventLoop near = host.callerLoop();
    executor.execute(() -> connectOnManager(peerId, near).onComplete(p));
    return p.future();
  }

  private Future<SessionHandle> connectOnManager(String peerId, io.netty.channel.EventLoop near) {
    return openOnManager(peerId, near).compose(v -> v.call(PeerSession::whenUp).map(v));
  }

  /**
   * The session with {@code peerId} as soon as it exists, up or not: a new one is created and its
   * introduction started. Messages sent to it queue in order until a path holds. Fails with 400
   * (own id) or 503 (session limit); an unknown or unreachable peer closes the session, which fails
   * what was sent to it (404, 503). Any thread; a session this opens runs on the calling thread's
   * event loop when the host allows ({@link SessionHost#callerLoop}), so that the caller's messages
   * reach it without a thread crossing.
   */
  public Future<SessionHandle> open(String peerId) {
    Promise<SessionHandle> p = Promise.promise();
    io.netty.channel.EventLoop near = host.callerLoop();
    executor.execute(() -> openOnManager(peerId, near).onComplete(p));
    return p.future();
  }

  /** The existing session with {@code peerId} if its verticle is running (up or not), else {@code null}. Any thread. */
  public SessionHandle existing(String peerId) {
    Future<SessionHandle> f = byPeer.get(peerId);
    return f != null && f.succeeded() ? f.result() : null;
  }

  private Future<SessionHandle> openOnManager(String peerId, io.netty.channel.EventLoop near) {
    if (peerId.equals(deps.localPeerId())) {
      return Future.failedFuture(Failure.BAD_REQUEST.exception("peerId: cannot connect to this node itself"));
    }
    Future<SessionHandle> existing = byPeer.get(peerId);
    if (existing != null) return existing;
    if (byPeer.size() >= deps.session().maxSessions()) {
      deps.counters().drop(Drop.SESSION_LIMIT);
      return Future.failedFuture(Failure.UNREACHABLE.exception("session limit reached (session.maxSessions)"));
    }
    Future<SessionHandle> created = create(peerId, near);
    created.onSuccess(v -> rendezvous.introduce(peerId).onComplete(in -> v.run(s -> {
      if (in.succeeded()) {
        introduce(s, in.result().introduce(), in.result().via());
      } else {
        Throwable err = in.cause();
        s.close("introduction failed: " + err.getMessage(), false, err instanceof ReplyException re && re.failureCode() > 0
          ? re : Failure.UNREACHABLE.exception("introduction to " + peerId + " failed: " + err.getMessage()));
      }
    })));
    return created;
  }

  /**
   * An introduction this node did not ask for: the other side wants to connect. Manager thread.
   *
   * @param coordinator the coordinator that sent it ({@code null}: this node's own), used as relay
   */
  public void onIntroduce(Introduce unresolved, InetSocketAddress coordinator) {
    Introduce intro = coordinator == null ? unresolved : rendezvous.resolve(unresolved, coordinator);
    if (intro.peerId().equals(deps.localPeerId())) {
      deps.counters().drop(Drop.HELLO_REJECTED);
      return;
    }
    Future<SessionHandle> f = byPeer.get(intro.peerId());
    if (f == null) {
      if (byPeer.size() >= deps.session().maxSessions()) {
        deps.counters().drop(Drop.SESSION_LIMIT);
        return;
      }
      f = create(intro.peerId(), null);
    }
    f.onSuccess(v -> v.run(s -> introduce(s, intro, coordinator)));
  }

  /**
   * Starts punching: UDP candidates, TCP candidates (at once when UDP is blocked on either side:
   * the peer registered without a UDP endpoint, or ours reaches no coordinator) and the relay.
   * Runs on the session's thread.
   */
  private void introduce(PeerSession s, Introduce intro, InetSocketAddress relayVia) {
    boolean tcpAtOnce = !io.p2pnode.wire.ControlMessage.known(intro.publicEndpoint()) || !rendezvous.udpWorks();
    s.introduce(intro.token(), Candidate.of(intro.publicEndpoint(), intro.privateEndpoints()),
      Candidate.tcp(intro.publicTcp(), intro.privateEndpoints(), intro.tcpPort()), tcpAtOnce, relayVia, intro.nat(), intro.key());
  }

  /**
   * A HELLO with session id 0. Manager thread. One relayed by a coordinator from a peer we have no
   * session with means its introduction to us was lost: we ask for it ourselves (the coordinator
   * gives a pair the same token for a while, so both sides punch with one token) and the peer's
   * next punches find the session.
   */
  public void onHello(Hello hello, InetSocketAddress from) {
    Future<SessionHandle> f = byPeer.get(hello.peerId());
    if (f == null || hello.peerId().equals(deps.localPeerId())) {
      deps.counters().drop(Drop.HELLO_REJECTED);
      if (f == null && from instanceof io.p2pnode.transport.RelayEndpoint && !hello.peerId().equals(deps.localPeerId())) {
        openOnManager(hello.peerId(), null);
      }
      return;
    }
    f.onSuccess(v -> v.run(s -> s.onHello(hello, from)));
  }

  private Future<SessionHandle> create(String peerId, io.netty.channel.EventLoop near) {
    int sid;
    do {
      sid = random.nextInt();
    } while (sid == 0 || bySessionId.containsKey(sid));
    int localSid = sid;
    Future<SessionHandle> f = host.open(near, socket -> new PeerSession(deps, peerId, localSid, socket, this))
      .onSuccess(h -> bySessionId.put(localSid, h));
    byPeer.put(peerId, f);
    f.onFailure(err -> byPeer.remove(peerId, f));
    return f;
  }

  @Override
  public void onUp(PeerSession s) {
    Future<SessionHandle> f = byPeer.get(s.peerId());
    if (f != null) f.onSuccess(v -> v.setUp(true));
    events.accept(Addresses.PEER_UP, event(s));
  }

  @Override
  public void onDown(PeerSession s, String reason) {
    JsonObject ev = event(s).put("reason", reason);
    executor.execute(() -> {
      SessionHandle handle = bySessionId.remove(s.localSessionId());
      if (handle != null) {
        handle.setUp(false);
        byPeer.remove(s.peerId());
        host.close(handle);
      }
    });
    if (s.path() != null || reason.startsWith(PeerSession.FAULT)) events.accept(Addresses.PEER_DOWN, ev);
  }

  @Override
  public void onPathChanged(PeerSession s, Path previous) {
    events.accept(Addresses.PATH_CHANGED, event(s).put("previousPath", previous == null ? null : previous.wireName()));
  }

  private static JsonObject event(PeerSession s) {
    return new JsonObject().put("peerId", s.peerId()).put("path", s.path() == null ? null : s.path().wireName())
      .put("remote", s.remote() == null ? null : Endpoints.format(s.remote()));
  }

  /** {@code p2p.peers}: one entry per session. Any thread. */
  public Future<JsonObject> peers() {
    List<Future<JsonObject>> entries = new ArrayList<>();
    for (Future<SessionHandle> f : byPeer.values()) {
      // the thread it runs on, as an operator sees it in a thread dump or profile
      if (f.succeeded()) entries.add(f.result().call(s -> Future.succeededFuture(s.toJson().put("thread", Thread.currentThread().getName()))));
    }
    return Future.join(entries).transform(ar -> {
      JsonArray a = new JsonArray();
      entries.stream().filter(Future::succeeded).forEach(e -> a.add(e.result()));
      return Future.succeededFuture(new JsonObject().put("peers", a));
    });
  }

  /** Closes every session (BYE to each peer). */
  public Future<Void> closeAll() {
    List<Future<Void>> closed = new ArrayList<>();
    for (SessionHandle h : bySessionId.values()) closed.add(host.close(h));
    return Future.join(closed).mapEmpty();
  }

  /** Number of sessions (any state). */
  public int size() {
    return byPeer.size();
  }
}
