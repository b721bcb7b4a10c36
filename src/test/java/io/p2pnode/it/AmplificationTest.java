package io.p2pnode.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.p2pnode.P2pNode;
import io.p2pnode.TestKeys;
import io.p2pnode.TestNodes;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.NatType;
import io.p2pnode.wire.StunCodec;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * No amplification: from an address the node has not validated (no proven registration, no
 * session), every kind of request gets back at most 3x the bytes it sent; most get nothing.
 */
class AmplificationTest {


  @Test
  void unvalidatedSendersGetAtMostThreeTimesWhatTheySent() throws Exception {
    Map<String, byte[]> requests = new LinkedHashMap<>();
    ByteBuf stun = Unpooled.buffer();
    StunCodec.writeBindingRequest(stun, new byte[12]);
    requests.put("STUN binding", ByteBufUtil.getBytes(stun));
    requests.put("REGISTER (no proof)", ControlMessage.toBytes(new ControlMessage.Register(1, NatType.UNKNOWN, "x", TestKeys.of("x"), List.of())));
    requests.put("CONNECT", ControlMessage.toBytes(new ControlMessage.Connect(2, "x", "bob")));
    requests.put("PROBE_ASK", ControlMessage.toBytes(new ControlMessage.ProbeAsk(3, 0)));
    requests.put("HELLO (unknown token)", ControlMessage.toBytes(new ControlMessage.Hello(false, 42, "bob", 7, 0)));
    requests.put("RELAY", ControlMessage.toBytes(new ControlMessage.Relay("x", "bob", new byte[100])));
    ByteBuf frame = Unpooled.buffer();
    FrameCodec.writeHeader(frame, FrameType.BUNDLE, 0, 12345, 1);
    frame.writeZero(100);
    requests.put("session frame, unknown id", ByteBufUtil.getBytes(frame));
    requests.put("garbage", new byte[] {(byte) 0xD1, 1, 2, 3});

    try (TestNodes nodes = new TestNodes()) {
      P2pNode coord = nodes.start(TestNodes.config("coord"));
      nodes.startRegistered(TestNodes.peer("bob", coord));
      StringBuilder report = new StringBuilder();
      for (Map.Entry<String, byte[]> r : requests.entrySet()) {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
          s.send(new DatagramPacket(r.getValue(), r.getValue().length, coord.udpAddress()));
          long back = 0;
          s.setSoTimeout(300); // whatever comes back within 300 ms (the probe echo is immediate with delay 0)
          try {
            while (true) {
              DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
              s.receive(in);
              back += in.getLength();
            }
          } catch (SocketTimeoutException done) {
            // nothing more
          }
          report.append(String.format("%-28s sent %4d B, got back %4d B%n", r.getKey(), r.getValue().length, back));
          assertTrue(back <= 3L * r.getValue().length, r.getKey() + ": " + back + " bytes back for " + r.getValue().length);
        }
      }
      System.out.print(report);
    }
  }
}
