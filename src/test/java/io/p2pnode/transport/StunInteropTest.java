package io.p2pnode.transport;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real third-party STUN client (coturn's {@code turnutils_stunclient}, installed by
 * {@code .ci/run}) gets its reflexive address from the coordinator. Required in CI; skipped on a
 * developer machine without coturn.
 */
class StunInteropTest {
  static final String CLIENT = "/usr/bin/turnutils_stunclient";

  @Test
  void turnutilsStunclientGetsItsReflexiveAddress() throws Exception {
    boolean installed = new File(CLIENT).canExecute();
    if (System.getenv("CI") != null) assertTrue(installed, CLIENT + " missing: .ci/run installs the coturn package");
    assumeTrue(installed, "coturn not installed (apt-get install coturn)");
    try (TestNodes nodes = new TestNodes()) {
      P2pNode coord = nodes.start(TestNodes.config("stun"));
      // the client has no timeout of its own: bound it
      Process p = new ProcessBuilder("timeout", "10", CLIENT, "-p", String.valueOf(coord.udpAddress().getPort()), "127.0.0.1")
        .redirectErrorStream(true).start();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS));
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(out.contains("UDP reflexive addr: 127.0.0.1:"), out);
      assertEquals(1, coord.counters().toJson().getLong("stunAnswered"), out);
    }
  }
}
