package io.p2pnode.session;

import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.Failure;
import io.p2pnode.config.Endpoints;
import io.p2pnode.punch.RendezvousClient;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.ListenerGroup;
import io.p2pnode.wire.ControlMessage.Hello;
import io.p2pnode.wire.ControlMessage.Introduce;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates, finds and retires sessions: one {@link SessionVerticle} per remote peer. Its maps are
 * read from any thread (listeners route by session id, the API looks up peers); they change only
 * on the manager's context.
 */
public final class SessionManager implements SessionListener {
  private final Vertx vertx;
  private final Context context;
  private final SessionDeps deps;
  private final ListenerGroup listeners;
  private final RendezvousClient rendezvous;
  private final Map<String, Future<SessionVerticle>> byPeer = new ConcurrentHashMap<>();
  private final Map<Integer, SessionVerticle> bySessionId;
  private final Map<String, String> deployments = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  /**
   * @param routes session id → owner; shared with the listeners, which route frames through it
   */
  public SessionManager(Vertx vertx, Context context, SessionDeps deps, ListenerGroup listeners,
                        RendezvousClient rendezvous, Map<Integer, SessionVerticle> routes) {
    this.bySessionId = routes;
    this.vertx = vertx;
    this.context = context;
    this.deps = deps;
    this.listeners = listeners;
    this.rendezvous = rendezvous;
  }

  /**
   * The session with {@code peerId} once it is up: at once if it is, else after an introduction
   * and punching. Fails with 400 (own id), 404 (unknown peer), 503 (unreachable). Any thread.
   */
  public Future<SessionVerticle> connect(String peerId) {
    Future<SessionVerticle> f = byPeer.get(peerId);
    if (f != null && f.succeeded() && f.result().isUp()) return f;
    Promise<SessionVerticle> p = Promise.promise();
    context.runOnContext(v -> connectOnContext(peerId).onComplete(p));
    return p.future();
  }

  private Future<SessionVerticle> connectOnContext(String peerId) {
    if (peerId.equals(deps.localPeerId())) {
      return Future.failedFuture(Failure.BAD_REQUEST.exception("peerId: cannot connect to this node itself"));
    }
    Future<SessionVerticle> existing = byPeer.get(peerId);
    if (existing != null) return existing.compose(v -> v.call(PeerSession::whenUp).map(v));
    Future<SessionVerticle> created = create(peerId);
    return created.compose(v -> rendezvous.introduce(peerId)
      .compose(intro -> v.call(s -> {
        s.introduce(intro.token(), Candidate.of(intro.publicEndpoint(), intro.privateEndpoints()));
        return s.whenUp();
      }))
      .recover(err -> {
        v.run(s -> s.close("introduction failed: " + err.getMessage(), false));
        return Future.failedFuture(err);
      })
      .map(v));
  }

  /** An introduction this node did not ask for: the other side wants to connect. Manager context. */
  public void onIntroduce(Introduce intro, InetSocketAddress coordinator) {
    InetSocketAddress pub = intro.publicEndpoint().getPort() == 0 && coordinator != null ? coordinator : intro.publicEndpoint();
    List<Candidate> candidates = Candidate.of(pub, intro.privateEndpoints());
    Future<SessionVerticle> f = byPeer.get(intro.peerId());
    if (f == null) f = create(intro.peerId());
    f.onSuccess(v -> v.run(s -> s.introduce(intro.token(), candidates)));
  }

  /** A HELLO with session id 0. Manager context. */
  public void onHello(Hello hello, InetSocketAddress from) {
    Future<SessionVerticle> f = byPeer.get(hello.peerId());
    if (f == null || hello.peerId().equals(deps.localPeerId())) {
      deps.counters().drop(Drop.HELLO_REJECTED);
      return;
    }
    f.onSuccess(v -> v.run(s -> s.onHello(hello, from)));
  }

  private Future<SessionVerticle> create(String peerId) {
    int sid;
    do {
      sid = random.nextInt();
    } while (sid == 0 || bySessionId.containsKey(sid));
    int localSid = sid;
    SessionVerticle verticle = new SessionVerticle(listeners, socket -> new PeerSession(deps, peerId, localSid, socket, this));
    Future<SessionVerticle> f = vertx.deployVerticle(verticle).map(id -> {
      deployments.put(peerId, id);
      bySessionId.put(localSid, verticle);
      return verticle;
    });
    byPeer.put(peerId, f);
    f.onFailure(err -> byPeer.remove(peerId, f));
    return f;
  }

  @Override
  public void onUp(PeerSession s) {
    Future<SessionVerticle> f = byPeer.get(s.peerId());
    if (f != null) f.onSuccess(v -> v.setUp(true));
    vertx.eventBus().publish(Addresses.PEER_UP, event(s), Addresses.LOCAL_ONLY);
  }

  @Override
  public void onDown(PeerSession s, String reason) {
    JsonObject ev = event(s).put("reason", reason);
    context.runOnContext(v -> {
      SessionVerticle verticle = bySessionId.remove(s.localSessionId());
      if (verticle != null) {
        verticle.setUp(false);
        byPeer.remove(s.peerId());
        String id = deployments.remove(s.peerId());
        if (id != null) vertx.undeploy(id);
      }
    });
    if (s.path() != null) vertx.eventBus().publish(Addresses.PEER_DOWN, ev, Addresses.LOCAL_ONLY);
  }

  @Override
  public void onPathChanged(PeerSession s, Path previous) {
    vertx.eventBus().publish(Addresses.PATH_CHANGED,
      event(s).put("previousPath", previous == null ? null : previous.wireName()), Addresses.LOCAL_ONLY);
  }

  private static JsonObject event(PeerSession s) {
    return new JsonObject().put("peerId", s.peerId()).put("path", s.path() == null ? null : s.path().wireName())
      .put("remote", s.remote() == null ? null : Endpoints.format(s.remote()));
  }

  /** {@code p2p.peers}: one entry per session. Any thread. */
  public Future<JsonObject> peers() {
    List<Future<JsonObject>> entries = new ArrayList<>();
    for (Future<SessionVerticle> f : byPeer.values()) {
      if (f.succeeded()) entries.add(f.result().call(s -> Future.succeededFuture(s.toJson())));
    }
    return Future.join(entries).transform(ar -> {
      JsonArray a = new JsonArray();
      entries.stream().filter(Future::succeeded).forEach(e -> a.add(e.result()));
      return Future.succeededFuture(new JsonObject().put("peers", a));
    });
  }

  /** Closes every session (BYE to each peer) by undeploying its verticle. */
  public Future<Void> closeAll() {
    List<Future<Void>> undeployed = new ArrayList<>();
    deployments.values().forEach(id -> undeployed.add(vertx.undeploy(id)));
    return Future.join(undeployed).mapEmpty();
  }

  /** Number of sessions (any state). */
  public int size() {
    return byPeer.size();
  }
}
