package io.p2pnode.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvOverridesTest {

  @Test
  void variableNamesFollowTheContract() {
    assertEquals("P2P_LISTEN_PORT", EnvOverrides.variable("listen.port"));
    assertEquals("P2P_HTTP_PORT", EnvOverrides.variable("http.port"));
    assertEquals("P2P_SESSION_MAXINFLIGHT", EnvOverrides.variable("session.maxInFlight"));
    assertEquals("P2P_PEERID", EnvOverrides.variable("peerId"));
  }

  @Test
  void everyDocumentedKeyHasAVariable() {
    Map<String, Map.Entry<String, Object>> keys = EnvOverrides.keys();
    for (String k : List.of("peerId", "eventLoops", "listen.host", "listen.port", "listen.instances", "coordinator.enabled", "rendezvous",
      "bridge.host", "bridge.port", "bridge.permitted", "cluster.enabled", "cluster.config", "heartbeat.intervalMs",
      "heartbeat.timeoutMs", "http.host", "http.port", "identity.keyFile", "session.encryption")) {
      assertEquals(k, keys.get(EnvOverrides.variable(k)).getKey(), k);
    }
  }

  @Test
  void environmentSetsEveryTypeAndBeatsTheFile() {
    JsonObject file = new JsonObject().put("listen", new JsonObject().put("port", 7710).put("host", "127.0.0.1"))
      .put("rendezvous", new JsonArray().add("127.0.0.1:9999"));
    NodeOptions o = EnvOverrides.apply(file, Map.of(
      "P2P_LISTEN_PORT", "7800",
      "P2P_RENDEZVOUS", "127.0.0.1:7700, 127.0.0.1:7701",
      "P2P_COORDINATOR_ENABLED", "false",
      "P2P_PEERID", "env-peer",
      "P2P_HTTP_PORT", "0",
      "P2P_BRIDGE_PERMITTED", "",
      "PATH", "/usr/bin", "HOME", "/root"));
    assertEquals(7800, o.listen().port());
    assertEquals("127.0.0.1", o.listen().host(), "keys not in the environment keep the file's value");
    assertEquals(List.of(new InetSocketAddress("127.0.0.1", 7700), new InetSocketAddress("127.0.0.1", 7701)),
      o.rendezvousAddresses());
    assertFalse(o.coordinator().enabled());
    assertEquals("env-peer", o.peerId());
    assertFalse(o.http().enabled());
    assertEquals(List.of(), o.bridge().permitted());
  }

  @Test
  void noVariablesIsTheFileAlone() {
    assertEquals(NodeOptions.defaults().toJson(), EnvOverrides.apply(new JsonObject(), Map.of("HOME", "/root")).toJson());
  }

  @Test
  void badValuesNameTheKeyAndTheVariable() {
    ConfigException range = assertThrows(ConfigException.class,
      () -> EnvOverrides.apply(new JsonObject(), Map.of("P2P_LISTEN_PORT", "70000")));
    assertEquals("listen.port", range.key());
    assertEquals("invalid config key 'listen.port' (from P2P_LISTEN_PORT): must be between 0 and 65535, got 70000", range.getMessage());

    ConfigException notNumber = assertThrows(ConfigException.class,
      () -> EnvOverrides.apply(new JsonObject(), Map.of("P2P_HTTP_PORT", "eighty")));
    assertEquals("invalid config key 'http.port' (from P2P_HTTP_PORT): must be an integer, got \"eighty\"", notNumber.getMessage());

    ConfigException bool = assertThrows(ConfigException.class,
      () -> EnvOverrides.apply(new JsonObject(), Map.of("P2P_CLUSTER_ENABLED", "yes")));
    assertEquals("cluster.enabled", bool.key());
    assertTrue(bool.getMessage().contains("(from P2P_CLUSTER_ENABLED)"), bool.getMessage());

    ConfigException endpoint = assertThrows(ConfigException.class,
      () -> EnvOverrides.apply(new JsonObject(), Map.of("P2P_RENDEZVOUS", "127.0.0.1:7700,nohostport")));
    assertEquals("rendezvous", endpoint.key());
    assertTrue(endpoint.getMessage().contains("(from P2P_RENDEZVOUS)"), endpoint.getMessage());

    ConfigException unknown = assertThrows(ConfigException.class,
      () -> EnvOverrides.apply(new JsonObject(), Map.of("P2P_LISTEN_PROT", "1")));
    assertEquals("P2P_LISTEN_PROT", unknown.key());
    assertTrue(unknown.getMessage().contains("P2P_LISTEN_PORT"), "lists the known variables: " + unknown.getMessage());
  }

  @Test
  void fileErrorsStayTheFiles() {
    ConfigException e = assertThrows(ConfigException.class, () -> EnvOverrides.apply(
      new JsonObject().put("heartbeat", new JsonObject().put("intervalMs", -1)), Map.of("P2P_LISTEN_PORT", "7800")));
    assertEquals("heartbeat.intervalMs", e.key());
    assertFalse(e.getMessage().contains("(from"), e.getMessage());
  }

  @Test
  void loadAppliesTheEnvironmentToTheFile() throws Exception {
    Path f = Files.createTempFile("p2p-env", ".json");
    try {
      Files.writeString(f, "{\"listen\":{\"port\":7710}}");
      assertEquals(7810, NodeOptions.load(f, Map.of("P2P_LISTEN_PORT", "7810")).listen().port());
      assertEquals(7710, NodeOptions.load(f, Map.of()).listen().port());
      assertEquals(7702, NodeOptions.load(null, Map.of()).http().port());
    } finally {
      Files.delete(f);
    }
  }
}
