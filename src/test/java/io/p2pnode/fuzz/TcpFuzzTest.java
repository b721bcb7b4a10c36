package io.p2pnode.fuzz;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.transport.Drop;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.DataOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Hostile input over TCP: 100 000 fuzzed frames ({@link DatagramFuzzer}, length-prefixed) into a
 * coordinator's TCP port are each counted (a frame in, or a drop) without an exception reaching
 * an event loop; a length prefix beyond the frame limit and a connection cut mid-frame close only
 * that connection; the node goes on serving.
 */
class TcpFuzzTest {
  static final int FRAMES = 100_000;

  @Test
  void fuzzedFramesOverTcpAreCountedAndTheNodeCarriesOn() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      P2pNode coord = nodes.start(TestNodes.config("coord"));
      AtomicLong escaped = new AtomicLong();
      coord.vertx().exceptionHandler(t -> escaped.incrementAndGet());
      JsonObject tcp = await(P2pClient.create(coord.vertx()).status()).getJsonObject("tcp");
      int port = Integer.parseInt(tcp.getString("listen").replaceAll(".*:", ""));
      long countedBefore = counted(coord);
      int max = coord.options().listen().maxDatagramBytes();
      DatagramFuzzer fuzz = new DatagramFuzzer(7);
      int sent = 0;
      try (Socket s = new Socket("127.0.0.1", port)) {
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16));
        while (sent < FRAMES) {
          byte[] d = fuzz.next();
          if (d.length == 0 || d.length > max) continue; // those close the connection: below
          out.writeShort(d.length);
          out.write(d);
          sent++;
        }
        out.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counted(coord) - countedBefore < sent && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(50); // polling counters the node's loops increment
        }
        assertTrue(counted(coord) - countedBefore >= sent, "counted " + (counted(coord) - countedBefore) + " of " + sent);
      }
      // a length prefix past the limit: OVERSIZE, that connection closed
      long oversize = coord.counters().drops(Drop.OVERSIZE);
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.getOutputStream().write(new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3});
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        try {
          assertEquals(-1, in.read(), "closed by the node");
        } catch (java.net.SocketException reset) {
          // closed with RST: as good
        }
      }
      assertEquals(oversize + 1, coord.counters().drops(Drop.OVERSIZE));
      // cut mid-frame (half-close after half a frame): the node closes its side, nothing else happens
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.getOutputStream().write(new byte[] {0, 100, 0x31, 0x10});
        s.shutdownOutput();
        s.setSoTimeout(10_000);
        try {
          assertEquals(-1, s.getInputStream().read());
        } catch (java.net.SocketException reset) {
          // closed with RST
        }
      }
      JsonObject after = await(P2pClient.create(coord.vertx()).status());
      assertEquals("coord", after.getString("peerId"));
      assertEquals(0, escaped.get(), "exceptions reached an event loop");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (await(P2pClient.create(coord.vertx()).status()).getJsonObject("tcp").getLong("open") > 0 && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
      assertEquals(0L, await(P2pClient.create(coord.vertx()).status()).getJsonObject("tcp").getLong("open"),
        "every fuzzing connection closed");
    }
  }

  /** Frames the node accounted for: taken in, or dropped for a reason. */
  static long counted(P2pNode n) {
    JsonObject c = n.counters().toJson();
    long drops = 0;
    for (String k : c.getJsonObject("drops").fieldNames()) drops += c.getJsonObject("drops").getLong(k);
    return c.getLong("framesIn") + drops;
  }
}
