package io.p2pnode.it;

import io.p2pnode.NodeProcess;
import io.p2pnode.TestNodes;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line configured from the environment alone, as in a container. */
class EnvironmentConfigTest {

  @Test
  void aNodeRunsFromTheEnvironmentWithoutAFile() throws Exception {
    int http = TestNodes.freeTcpPort();
    Map<String, String> env = Map.of("P2P_PEERID", "from-env", "P2P_LISTEN_HOST", "127.0.0.1", "P2P_LISTEN_PORT", "0",
      "P2P_BRIDGE_PORT", "0", "P2P_HTTP_PORT", String.valueOf(http), "P2P_LISTEN_INSTANCES", "1");
    try (NodeProcess p = NodeProcess.startWithEnv(env)) {
      Matcher ready = p.awaitReady();
      assertEquals("from-env", ready.group(1));
      assertTrue(ready.group(2).startsWith("127.0.0.1:"), ready.group(2));
      HttpResponse<String> health = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/health")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());
      assertTrue(health.body().contains("\"udpListeners\":1"), "P2P_LISTEN_INSTANCES=1 applied: " + health.body());
      p.terminate();
      assertEquals(0, p.awaitExit());
    }
  }

  @Test
  void aBadVariableStopsTheNodeNamingKeyAndVariable() throws Exception {
    try (NodeProcess p = NodeProcess.startWithEnv(Map.of("P2P_LISTEN_PORT", "70000"), "--conf", "conf/peer-a.json")) {
      assertEquals(2, p.awaitExit());
      assertTrue(p.output().contains("p2p-node: invalid config key 'listen.port' (from P2P_LISTEN_PORT): must be between 0 and 65535, got 70000"),
        p.output());
    }
  }
}
