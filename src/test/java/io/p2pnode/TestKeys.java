package io.p2pnode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.p2pnode.crypto.Identity;
import io.p2pnode.punch.RegistrationProof;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.PeerKey;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic identities for named test peers (the same name always gets the same key pair),
 * and a blocking registration with a coordinator the way a node does it: REGISTER, the
 * coordinator's challenge, REGISTER with proof.
 */
public final class TestKeys {
  private TestKeys() {
  }

  /** The key pair whose private key is SHA-256 of {@code name}. */
  public static Identity identity(String name) {
    try {
      return Identity.fromPrivateKey(MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public key of {@link #identity(String)}. */
  public static PeerKey of(String name) {
    return PeerKey.of(identity(name).publicKey());
  }

  /**
   * Registers {@code r} (whose key must be {@code identity}'s) with {@code coordinator} from
   * {@code socket}, answering its challenge; returns the coordinator's final answer.
   */
  public static ControlMessage register(DatagramSocket socket, InetSocketAddress coordinator, ControlMessage.Register r,
                                        Identity identity, byte[] networkKey) throws IOException {
    ControlMessage answer = exchange(socket, coordinator, r);
    if (!(answer instanceof ControlMessage.RegisterChallenge ch)) return answer;
    try {
      byte[] macKey = RegistrationProof.macKey(identity.keyPair().privateKey(), ch.coordinatorKey().bytes(), networkKey);
      ControlMessage.Register withCookie = r.proven(ch.cookie(), io.p2pnode.wire.Bits128.ZERO);
      return exchange(socket, coordinator, withCookie.proven(ch.cookie(), RegistrationProof.mac(macKey, withCookie)));
    } catch (io.p2pnode.crypto.CryptoException e) {
      throw new IOException(e);
    }
  }

  /** Sends {@code m} and waits (5 s) for one control message back. */
  public static ControlMessage exchange(DatagramSocket socket, InetSocketAddress to, ControlMessage m) throws IOException {
    byte[] b = ControlMessage.toBytes(m);
    socket.send(new DatagramPacket(b, b.length, to));
    socket.setSoTimeout(5000);
    DatagramPacket in = new DatagramPacket(new byte[1500], 1500);
    socket.receive(in);
    ByteBuf reply = Unpooled.wrappedBuffer(in.getData(), 0, in.getLength());
    FrameType type = FrameType.of(reply.getUnsignedByte(1));
    reply.skipBytes(FrameCodec.HEADER_BYTES);
    return ControlMessage.decode(type, reply);
  }
}
