package io.p2pnode.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class NodeOptionsTest {

  @Test
  void defaultsMatchDocumentedConstants() {
    NodeOptions o = NodeOptions.defaults();

    org.junit.jupiter.api.Assertions.assertNull(o.peerId(), "no peerId configured: the node derives it from its identity key");
    assertEquals(IdentityOptions.DEFAULT_KEY_FILE, o.identity().keyFile());
    assertEquals(NodeOptions.DEFAULT_EVENT_LOOPS, o.eventLoops());
    assertEquals(NodeOptions.DEFAULT_BUSY_POLL_MICROS, o.busyPollMicros());
    assertEquals(Runtime.getRuntime().availableProcessors(), o.eventLoopCount(), "0: one loop per available processor");

    assertEquals(ListenOptions.DEFAULT_HOST, o.listen().host());
    assertEquals(ListenOptions.DEFAULT_PORT, o.listen().port());
    assertEquals(ListenOptions.DEFAULT_INSTANCES, o.listen().instances());
    assertEquals(ListenOptions.DEFAULT_MAX_DATAGRAM_BYTES, o.listen().maxDatagramBytes());
    assertEquals(ListenOptions.DEFAULT_SOCKET_BUFFER_BYTES, o.listen().socketBufferBytes());

    assertEquals(CoordinatorOptions.DEFAULT_ENABLED, o.coordinator().enabled());
    assertEquals(CoordinatorOptions.DEFAULT_REGISTRATION_TTL_MS, o.coordinator().registrationTtlMs());
    assertEquals(CoordinatorOptions.DEFAULT_MAX_PEERS, o.coordinator().maxPeers());

    assertEquals(List.of(), o.rendezvous());
    assertEquals(List.of(), o.rendezvousAddresses());

    assertEquals(BridgeOptions.DEFAULT_HOST, o.bridge().host());
    assertEquals(BridgeOptions.DEFAULT_PORT, o.bridge().port());
    assertEquals(BridgeOptions.DEFAULT_PERMITTED, o.bridge().permitted());
    assertTrue(o.bridge().enabled());

    assertEquals(ClusterOptions.DEFAULT_ENABLED, o.cluster().enabled());
    assertEquals(ClusterOptions.DEFAULT_CONFIG, o.cluster().config());

    assertEquals(HeartbeatOptions.DEFAULT_INTERVAL_MS, o.heartbeat().intervalMs());
    assertEquals(HeartbeatOptions.DEFAULT_TIMEOUT_MS, o.heartbeat().timeoutMs());

    assertEquals(SessionOptions.DEFAULT_SEND_TIMEOUT_MS, o.session().sendTimeoutMs());
    assertEquals(SessionOptions.DEFAULT_MAX_IN_FLIGHT, o.session().maxInFlight());
    assertEquals(SessionOptions.DEFAULT_PUNCH_INTERVAL_MS, o.session().punchIntervalMs());
    assertEquals(SessionOptions.DEFAULT_CONNECT_TIMEOUT_MS, o.session().connectTimeoutMs());

    assertEquals(HttpOptions.DEFAULT_HOST, o.http().host());
    assertEquals(HttpOptions.DEFAULT_PORT, o.http().port());
    assertTrue(o.http().enabled());
  }

  @Test
  void httpPortIsValidatedAndZeroDisables() {
    ConfigException e = assertThrows(ConfigException.class,
      () -> NodeOptions.fromJson(new JsonObject().put("http", new JsonObject().put("port", 70000))));
    assertEquals("http.port", e.key());
    ConfigException unknown = assertThrows(ConfigException.class,
      () -> NodeOptions.fromJson(new JsonObject().put("http", new JsonObject().put("prot", 1))));
    assertEquals("http.prot", unknown.key());
    assertFalse(NodeOptions.fromJson(new JsonObject().put("http", new JsonObject().put("port", 0))).http().enabled());
  }

  @Test
  void peerIdCanBeSetOnceDerived() {
    NodeOptions o = NodeOptions.defaults().withPeerId("abc");
    assertEquals("abc", o.peerId());
    assertEquals(NodeOptions.defaults().toJson().put("peerId", "abc"), o.toJson());
  }

  @Test
  void identityKeyFileMustNameAFile() {
    ConfigException e = assertThrows(ConfigException.class,
      () -> NodeOptions.fromJson(new JsonObject().put("identity", new JsonObject().put("keyFile", "/tmp/"))));
    assertEquals("identity.keyFile", e.key());
  }

  @Test
  void documentedNodeJsonIsExactlyTheDefaults() {
    JsonObject loaded = NodeOptions.load(Path.of("conf/node.json")).toJson();
    JsonObject defaults = NodeOptions.defaults().toJson();
    loaded.remove("peerId");
    defaults.remove("peerId");
    assertEquals(defaults, loaded);
  }

  @Test
  void quickStartConfigsLoad() {
    NodeOptions coord = NodeOptions.load(Path.of("conf/coordinator.json"));
    assertEquals("coord", coord.peerId());
    assertEquals(7700, coord.listen().port());
    assertTrue(coord.coordinator().enabled());

    NodeOptions a = NodeOptions.load(Path.of("conf/peer-a.json"));
    assertEquals("alice", a.peerId());
    assertFalse(a.coordinator().enabled());
    assertEquals(List.of(new InetSocketAddress("127.0.0.1", 7700)), a.rendezvousAddresses());
    assertEquals(7711, a.bridge().port());

    assertEquals(7702, coord.http().port());
    assertEquals(7712, a.http().port());
    NodeOptions b = NodeOptions.load(Path.of("conf/peer-b.json"));
    assertEquals(7722, b.http().port());
    assertEquals("bob", b.peerId());
    assertEquals(7720, b.listen().port());
    assertEquals(List.of(new InetSocketAddress("127.0.0.1", 7700)), b.rendezvousAddresses());
  }

  @Test
  void jsonRoundTripOfNonDefaultConfig() {
    JsonObject in = new JsonObject()
      .put("peerId", "peer_1.x-y")
      .put("eventLoops", 3)
      .put("busyPollMicros", 0)
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 4)
        .put("maxDatagramBytes", 1400).put("socketBufferBytes", 65536))
      .put("coordinator", new JsonObject().put("enabled", false).put("registrationTtlMs", 1234).put("maxPeers", 7))
      .put("rendezvous", new JsonArray().add("127.0.0.1:7700").add("[::1]:7800"))
      .put("bridge", new JsonObject().put("host", "127.0.0.1").put("port", 0)
        .put("permitted", new JsonArray().add("app\\..+").add("other")))
      .put("cluster", new JsonObject().put("enabled", false).put("config", "elsewhere.xml"))
      .put("heartbeat", new JsonObject().put("intervalMs", 200).put("timeoutMs", 1000))
      .put("session", new JsonObject().put("sendTimeoutMs", 99).put("maxInFlight", 3)
        .put("punchIntervalMs", 50).put("connectTimeoutMs", 777));

    NodeOptions o = NodeOptions.fromJson(in);
    JsonObject out = o.toJson();

    assertEquals(out, NodeOptions.fromJson(out).toJson());
    assertNotEquals(NodeOptions.defaults().toJson().put("peerId", "peer_1.x-y"), out);
    assertEquals("peer_1.x-y", o.peerId());
    assertEquals(4, o.listen().instances());
    assertEquals(3, o.eventLoopCount());
    assertEquals(List.of("app\\..+", "other"), o.bridge().permitted());
    assertFalse(o.bridge().enabled());
    assertEquals(777, o.session().connectTimeoutMs());
  }

  static Stream<Arguments> invalidConfigs() {
    return Stream.of(
      // wrong type
      arguments("{\"listen\": {\"port\": \"7700\"}}", "listen.port"),
      arguments("{\"coordinator\": {\"enabled\": \"yes\"}}", "coordinator.enabled"),
      arguments("{\"rendezvous\": \"127.0.0.1:7700\"}", "rendezvous"),
      arguments("{\"bridge\": {\"permitted\": [\"ok\", 5]}}", "bridge.permitted"),
      arguments("{\"peerId\": 42}", "peerId"),
      arguments("{\"listen\": {\"port\": 7700.5}}", "listen.port"),
      // bad port
      arguments("{\"listen\": {\"port\": 70000}}", "listen.port"),
      arguments("{\"listen\": {\"port\": -1}}", "listen.port"),
      arguments("{\"listen\": {\"port\": 18446744073709559316}}", "listen.port"), // 2^64 + 7700 must not wrap
      arguments("{\"rendezvous\": [\"127.0.0.1:+7700\"]}", "rendezvous"),
      arguments("{\"bridge\": {\"port\": 65536}}", "bridge.port"),
      // bad value
      arguments("{\"rendezvous\": [\"nohostport\"]}", "rendezvous"),
      arguments("{\"rendezvous\": [\"127.0.0.1:0\"]}", "rendezvous"),
      arguments("{\"rendezvous\": [\"127.0.0.1:abc\"]}", "rendezvous"),
      arguments("{\"bridge\": {\"permitted\": [\"(unclosed\"]}}", "bridge.permitted"),
      arguments("{\"peerId\": \"has space\"}", "peerId"),
      arguments("{\"peerId\": \"" + "p".repeat(65) + "\"}", "peerId"),
      arguments("{\"peerId\": \"\"}", "peerId"),
      arguments("{\"listen\": {\"instances\": 1000}}", "listen.instances"),
      arguments("{\"eventLoops\": -1}", "eventLoops"),
      arguments("{\"eventLoops\": 2.5}", "eventLoops"),
      arguments("{\"busyPollMicros\": -1}", "busyPollMicros"),
      arguments("{\"busyPollMicros\": 10001}", "busyPollMicros"),
      // unknown keys
      arguments("{\"peerid\": \"x\"}", "peerid"),
      arguments("{\"listen\": {\"hots\": \"127.0.0.1\"}}", "listen.hots"),
      // section not an object
      arguments("{\"listen\": 5}", "listen"),
      arguments("{\"session\": []}", "session"),
      // cross-field
      arguments("{\"heartbeat\": {\"intervalMs\": 5000, \"timeoutMs\": 5000}}", "heartbeat.timeoutMs"),
      arguments("{\"heartbeat\": {\"timeoutMs\": 1000}}", "heartbeat.timeoutMs"),
      arguments("{\"session\": {\"congestion\": \"cubic\"}}", "session.congestion"),
      arguments("{\"session\": {\"congestion\": 1}}", "session.congestion"),
      arguments("{\"cluster\": {\"enabled\": true, \"config\": \"no/such/hazelcast.xml\"}}", "cluster.config"));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("invalidConfigs")
  void invalidConfigNamesTheKey(String json, String key) {
    JsonObject config = new JsonObject(json);
    ConfigException e = assertThrows(ConfigException.class, () -> NodeOptions.fromJson(config));
    assertEquals(key, e.key());
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }

  @Test
  void commentKeysAreIgnoredAtEveryLevel() {
    NodeOptions o = NodeOptions.fromJson(new JsonObject(
      "{\"//\": \"top\", \"//peerId\": 5,"
        + " \"listen\": {\"//port\": \"any value\", \"port\": 7705},"
        + " \"heartbeat\": {\"//\": {\"nested\": true}}}"));
    assertEquals(7705, o.listen().port());
    assertFalse(o.toJson().containsKey("//"));
    assertFalse(o.toJson().getJsonObject("listen").containsKey("//port"));
  }

  @Test
  void clusterEnabledWithReadableConfigFileLoads() {
    NodeOptions o = NodeOptions.fromJson(new JsonObject(
      "{\"cluster\": {\"enabled\": true, \"config\": \"cluster/hazelcast-local.xml\"}}"));
    assertTrue(o.cluster().enabled());
  }

  @Test
  void loadMissingFileNamesTheFile(@TempDir Path dir) {
    Path missing = dir.resolve("missing.json");
    ConfigException e = assertThrows(ConfigException.class, () -> NodeOptions.load(missing));
    assertEquals("--conf", e.key());
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void loadInvalidJsonNamesTheFile(@TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.json"), "{ \"listen\": ");
    ConfigException e = assertThrows(ConfigException.class, () -> NodeOptions.load(bad));
    assertEquals("--conf", e.key());
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
  }

  @Test
  void loadJsonArrayNamesTheFile(@TempDir Path dir) throws Exception {
    Path arr = Files.writeString(dir.resolve("array.json"), "[1, 2]");
    ConfigException e = assertThrows(ConfigException.class, () -> NodeOptions.load(arr));
    assertEquals("--conf", e.key());
    assertTrue(e.getMessage().contains(arr.toString()), e.getMessage());
  }

  @Test
  void loadValidationErrorKeepsTheConfigKey(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("node.json"), "{\"bridge\": {\"port\": 65536}}");
    ConfigException e = assertThrows(ConfigException.class, () -> NodeOptions.load(f));
    assertEquals("bridge.port", e.key());
  }

  @Test
  void endpointsParseIpv4AndIpv6() throws Exception {
    InetSocketAddress v4 = Endpoints.parse("k", "127.0.0.1:7700");
    assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 7700), v4);
    assertEquals("127.0.0.1:7700", Endpoints.format(v4));

    InetSocketAddress v6 = Endpoints.parse("k", "[::1]:7700");
    assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 7700), v6);
    assertTrue(Endpoints.format(v6).startsWith("["), Endpoints.format(v6));
    assertTrue(Endpoints.format(v6).endsWith("]:7700"), Endpoints.format(v6));
  }

  @Test
  void endpointsFormatRoundTrips() {
    for (String text : List.of("127.0.0.1:7700", "10.1.2.3:1", "[::1]:65535", "[fe80::1]:9")) {
      InetSocketAddress a = Endpoints.parse("k", text);
      assertEquals(a, Endpoints.parse("k", Endpoints.format(a)), text);
    }
  }

  @Test
  void endpointsErrorsNameTheGivenKey() {
    for (String text : List.of("", "127.0.0.1", "127.0.0.1:", ":7700", "127.0.0.1:65536", "[::1]")) {
      ConfigException e = assertThrows(ConfigException.class, () -> Endpoints.parse("some.key", text), text);
      assertEquals("some.key", e.key());
    }
  }

  @Test
  void thePeerIdCheckAgreesWithItsPattern() {
    java.util.Random r = new java.util.Random(11);
    String alphabet = "aZ09._-/ é:\u0000";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      int n = r.nextInt(70);
      for (int k = 0; k < n; k++) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
      String s = b.toString();
      assertEquals(NodeOptions.PEER_ID.matcher(s).matches(), NodeOptions.isPeerId(s), "\"" + s + "\"");
    }
  }

  @Test
  void thePathDatagramCeilingIsCheckedAgainstTheBase() {
    ConfigException below = assertThrows(ConfigException.class, () -> NodeOptions.fromJson(new JsonObject()
      .put("listen", new JsonObject().put("maxDatagramBytes", 1400).put("maxPathDatagramBytes", 1300))));
    assertEquals("listen.maxPathDatagramBytes", below.key());
    assertTrue(below.getMessage().contains("maxDatagramBytes"), below.getMessage());
    ConfigException range = assertThrows(ConfigException.class, () -> NodeOptions.fromJson(new JsonObject()
      .put("listen", new JsonObject().put("maxPathDatagramBytes", 70_000))));
    assertEquals("listen.maxPathDatagramBytes", range.key());
    // a larger base without the ceiling set: the ceiling follows it (no probing below the base)
    assertEquals(2000, NodeOptions.fromJson(new JsonObject().put("listen", new JsonObject().put("maxDatagramBytes", 2000)
      .put("maxPathDatagramBytes", 2000))).listen().maxPathDatagramBytes());
  }
}
