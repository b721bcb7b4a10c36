package io.p2pnode;

import io.p2pnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts nodes on loopback with free ports, each on its own Vert.x instance, and stops them all. */
public final class TestNodes implements AutoCloseable {
  /** Set by the surefire execution that runs the node tests again in unconnected mode ({@code listen.connectedSockets=false}). */
  public static final boolean UNCONNECTED = Boolean.getBoolean("p2p.test.unconnected");

  private final List<P2pNode> nodes = new ArrayList<>();

  /** Config for a loopback node: UDP port 0, bridge off, fast heartbeat. */
  public static JsonObject config(String peerId) {
    return new JsonObject().put("peerId", peerId)
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 2).put("connectedSockets", !UNCONNECTED))
      .put("bridge", new JsonObject().put("port", 0)).put("http", new JsonObject().put("port", 0))
      .put("heartbeat", new JsonObject().put("intervalMs", 200).put("timeoutMs", 1000));
  }

  /** Config for a peer (not a coordinator) registered with {@code coordinator}. */
  public static JsonObject peer(String peerId, P2pNode coordinator) {
    return config(peerId).put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray().add("127.0.0.1:" + coordinator.udpAddress().getPort()));
  }

  public P2pNode start(JsonObject config) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(2));
    try {
      P2pNode n = await(P2pNode.start(vertx, NodeOptions.fromJson(config)));
      nodes.add(n);
      return n;
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
  }

  /**
   * Starts a node on a Vert.x of its own, as {@code P2pNode.start(options)} and the command line do:
   * {@code eventLoops} loops that busy-poll {@code busyPollMicros} (default 50).
   */
  public P2pNode startOwn(JsonObject config) {
    P2pNode n = await(P2pNode.start(NodeOptions.fromJson(config)));
    nodes.add(n);
    return n;
  }

  /** Starts a peer and waits until its coordinator acknowledged its registration. */
  public P2pNode startRegistered(JsonObject config) {
    return registered(start(config));
  }

  /** Waits until {@code n}'s coordinators acknowledged its registration. */
  public P2pNode registered(P2pNode n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      JsonObject st = await(io.p2pnode.bus.P2pClient.create(n.vertx()).status());
      boolean all = st.getJsonArray("coordinators").stream().allMatch(c -> ((JsonObject) c).getBoolean("registered"));
      if (all) return n;
      await(Future.future(p -> n.vertx().setTimer(20, t -> p.complete())));
    }
    throw new AssertionError("node " + n.peerId() + " did not register");
  }

  /**
   * Connects from {@code from} to {@code peerId}, retrying every 20 ms while the target's
   * registration is still on its way (404), for at most 10 s.
   */
  public static JsonObject connectEventually(P2pNode from, String peerId) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return await(io.p2pnode.bus.P2pClient.create(from.vertx()).connect(peerId));
      } catch (io.vertx.core.eventbus.ReplyException e) {
        if (e.failureCode() != 404 || System.nanoTime() > deadline) throw e;
        await(Future.future(p -> from.vertx().setTimer(20, t -> p.complete())));
      }
    }
  }

  /**
   * Waits (at most 10 s, polling on {@code vertx}'s timers) until {@code items} holds at least
   * {@code n}: a {@code p2p.send} is confirmed once a consumer took the message, and its handler
   * may run a moment after the confirmation reached the sender.
   */
  public static void awaitSize(Vertx vertx, java.util.Collection<?> items, int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (items.size() < n && System.nanoTime() < deadline) {
      await(Future.future(p -> vertx.setTimer(5, t -> p.complete())));
    }
  }

  /** Stops one node (graceful) and forgets it. */
  public void stop(P2pNode n) {
    nodes.remove(n);
    await(n.stop());
    await(n.vertx().close());
  }

  public static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  /**
   * Registers {@code peerId} at {@code coordinator} once, from a throwaway plain socket that then
   * closes: a peer that is known but never answers and never refreshes. Returns when acknowledged.
   */
  public static void registerGhost(P2pNode coordinator, String peerId) {
    registerGhost(coordinator.udpAddress(), peerId);
  }

  /** As {@link #registerGhost(P2pNode, String)}, at a coordinator's address; returns the ghost's (closed) port. */
  public static int registerGhost(java.net.InetSocketAddress coordinator, String peerId) {
    try (DatagramSocket ghost = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      var r = new io.p2pnode.wire.ControlMessage.Register(1, io.p2pnode.wire.NatType.UNKNOWN, peerId, TestKeys.of(peerId), List.of());
      var answer = TestKeys.register(ghost, coordinator, r, TestKeys.identity(peerId), new byte[0]);
      if (!(answer instanceof io.p2pnode.wire.ControlMessage.RegisterAck)) throw new AssertionError("ghost not registered: " + answer);
      return ghost.getLocalPort();
    } catch (java.io.IOException e) {
      throw new RuntimeException(e);
    }
  }

  /** A free TCP port on loopback (for bridges). */
  public static int freeTcpPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new RuntimeException(e);
    }
  }

  /** A free UDP port on loopback. */
  public static int freeUdpPort() {
    try (DatagramSocket s = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new RuntimeException(e);
    }
  }

  @Override
  public void close() {
    for (P2pNode n : new ArrayList<>(nodes)) {
      try {
        stop(n);
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
  }
}
