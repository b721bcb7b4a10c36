package io.p2pnode.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Golden bytes, round trips on heap and direct buffers, and rejection of altered frames. */
class FrameCipherTest {
  private static final byte[] KEY = range(32);
  /** Frame header: 0xD2, type, flags, 0, session id 7, packet number 0x0102. */
  private static final byte[] HEADER = Hex.bytes("d2010000000000070000000000000102");
  /** AESGCM(key 00..1f, nonce 00000000 0000000000000102, ad HEADER, "hello frame"), from Python's cryptography. */
  private static final String GOLDEN = "654d7cfa0bbc762347710c9ced84f373022d5d39cbd7e706550b80";

  @Test
  void goldenBytes() {
    ByteBuffer out = ByteBuffer.allocate(64);
    int n = new FrameCipher(KEY).seal(ByteBuffer.wrap(HEADER), ByteBuffer.wrap(bytes("hello frame")), out);
    assertEquals(11 + 16, n);
    assertEquals(GOLDEN, Hex.of(copy(out.flip())));
    ByteBuffer plain = ByteBuffer.allocate(64);
    assertTrue(new FrameCipher(KEY).open(ByteBuffer.wrap(HEADER), ByteBuffer.wrap(Hex.bytes(GOLDEN)), plain));
    assertEquals("hello frame", new String(copy(plain.flip()), StandardCharsets.UTF_8));
  }

  @Test
  void equalsNoiseEncryptWithPacketNumberAsNonce() throws CryptoException {
    Random random = new Random(1);
    FrameCipher sealer = new FrameCipher(KEY);
    CipherState noise = new CipherState(KEY);
    for (long pn = 0; pn < 2000; pn += 1 + random.nextInt(50)) {
      byte[] header = header(pn);
      byte[] payload = new byte[random.nextInt(200)];
      random.nextBytes(payload);
      ByteBuffer out = ByteBuffer.allocate(payload.length + 16);
      sealer.seal(ByteBuffer.wrap(header), ByteBuffer.wrap(payload), out);
      noise.setNonce(pn);
      assertArrayEquals(noise.encryptWithAd(header, payload), out.array());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 15, 16, 17, 64, 1024, 1400, 65000})
  void roundTripsOnHeapAndDirectBuffersAndInPlace(int size) {
    byte[] payload = new byte[size];
    new Random(size).nextBytes(payload);
    for (boolean direct : new boolean[] {false, true}) {
      FrameCipher sealer = new FrameCipher(KEY);
      FrameCipher opener = new FrameCipher(KEY);
      ByteBuffer datagram = alloc(direct, 16 + size + 16);
      datagram.put(header(42)).put(payload).flip();
      ByteBuffer header = datagram.duplicate().limit(16);
      ByteBuffer body = datagram.duplicate().position(16).limit(16 + size);
      ByteBuffer out = datagram.duplicate().position(16).limit(16 + size + 16);
      assertEquals(size + 16, sealer.seal(header, body, out));
      assertEquals(0, header.position());
      assertEquals(16 + size, body.position());
      assertEquals(16 + size + 16, out.position());

      ByteBuffer ciphertext = datagram.duplicate().position(16).limit(16 + size + 16);
      ByteBuffer plain = alloc(direct, size + 5).position(5);
      assertTrue(opener.open(datagram.duplicate().limit(16), ciphertext, plain));
      assertFalse(ciphertext.hasRemaining());
      assertArrayEquals(payload, copy(plain.flip().position(5)));

      ByteBuffer inPlace = datagram.duplicate().limit(16 + size + 16).position(16);
      assertTrue(new FrameCipher(KEY).open(datagram.duplicate().limit(16), inPlace.duplicate(), inPlace.duplicate()));
      assertArrayEquals(payload, copy(inPlace.limit(16 + size)));
    }
  }

  @Test
  void everyBitFlipOfHeaderOrBodyAndEveryTruncationIsRejected() {
    byte[] payload = bytes("a frame payload of some length");
    ByteBuffer sealed = ByteBuffer.allocate(payload.length + 16);
    new FrameCipher(KEY).seal(ByteBuffer.wrap(HEADER), ByteBuffer.wrap(payload), sealed);
    byte[] ct = sealed.array();
    FrameCipher opener = new FrameCipher(KEY);
    for (int bit = 0; bit < HEADER.length * 8; bit++) {
      assertRejected(opener, NoiseHandshakeTest.flip(HEADER, bit), ct);
    }
    for (int bit = 0; bit < ct.length * 8; bit++) {
      assertRejected(opener, HEADER, NoiseHandshakeTest.flip(ct, bit));
    }
    for (int len = 0; len < ct.length; len++) {
      assertRejected(opener, HEADER, java.util.Arrays.copyOf(ct, len));
    }
    assertRejected(new FrameCipher(range(33, 32)), HEADER, ct);
    ByteBuffer plain = ByteBuffer.allocate(payload.length);
    assertTrue(opener.open(ByteBuffer.wrap(HEADER), ByteBuffer.wrap(ct), plain), "still usable after failures");
    assertArrayEquals(payload, plain.array());
  }

  @Test
  void framesOpenOutOfOrder() {
    FrameCipher sealer = new FrameCipher(KEY);
    byte[][] frames = new byte[5][];
    for (int pn = 0; pn < 5; pn++) {
      ByteBuffer out = ByteBuffer.allocate(17);
      sealer.seal(ByteBuffer.wrap(header(pn)), ByteBuffer.wrap(new byte[] {(byte) pn}), out);
      frames[pn] = out.array();
    }
    FrameCipher opener = new FrameCipher(KEY);
    for (int pn : new int[] {3, 0, 4, 1, 2}) {
      ByteBuffer plain = ByteBuffer.allocate(1);
      assertTrue(opener.open(ByteBuffer.wrap(header(pn)), ByteBuffer.wrap(frames[pn]), plain));
      assertEquals(pn, plain.get(0));
      assertFalse(opener.open(ByteBuffer.wrap(header(pn + 1)), ByteBuffer.wrap(frames[pn]), ByteBuffer.allocate(1)));
    }
  }

  /** Direct buffers go through the thread's heap staging: same bytes, for every mix of heap and direct. */
  @Test
  void goldenBytesOnEveryMixOfHeapAndDirectBuffers() {
    for (int mix = 0; mix < 8; mix++) {
      boolean directHeader = (mix & 1) != 0;
      boolean directBody = (mix & 2) != 0;
      boolean directOut = (mix & 4) != 0;
      ByteBuffer out = alloc(directOut, 64);
      new FrameCipher(KEY).seal(alloc(directHeader, 16).put(HEADER).flip(), alloc(directBody, 11).put(bytes("hello frame")).flip(), out);
      assertEquals(GOLDEN, Hex.of(copy(out.flip())), "mix " + mix);
      ByteBuffer sealed = alloc(directBody, 27).put(Hex.bytes(GOLDEN)).flip();
      ByteBuffer plain = alloc(directOut, 64);
      assertTrue(new FrameCipher(KEY).open(alloc(directHeader, 16).put(HEADER).flip(), sealed, plain), "mix " + mix);
      assertFalse(sealed.hasRemaining());
      assertEquals("hello frame", new String(copy(plain.flip()), StandardCharsets.UTF_8));
    }
  }

  /** A direct frame that does not authenticate, opened in place, is left as it came; then a good one opens. */
  @Test
  void aDirectFrameThatFailsInPlaceIsLeftUntouched() {
    byte[] ct = Hex.bytes(GOLDEN);
    ct[3] ^= 1;
    ByteBuffer frame = ByteBuffer.allocateDirect(ct.length).put(ct).flip();
    FrameCipher opener = new FrameCipher(KEY);
    assertFalse(opener.open(ByteBuffer.allocateDirect(16).put(HEADER).flip(), frame.duplicate(), frame.duplicate()));
    assertArrayEquals(ct, copy(frame.duplicate()));
    ByteBuffer good = ByteBuffer.allocateDirect(ct.length).put(Hex.bytes(GOLDEN)).flip();
    assertTrue(opener.open(ByteBuffer.wrap(HEADER), good.duplicate(), good.duplicate()));
    assertEquals("hello frame", new String(copy(good.limit(11)), StandardCharsets.UTF_8));
  }

  @Test
  void sealRefusesNonceReuseAndBadArguments() {
    FrameCipher sealer = new FrameCipher(KEY);
    sealer.seal(ByteBuffer.wrap(header(10)), ByteBuffer.allocate(0), ByteBuffer.allocate(16));
    assertThrows(IllegalStateException.class, () -> sealer.seal(ByteBuffer.wrap(header(10)), ByteBuffer.allocate(0), ByteBuffer.allocate(16)));
    assertThrows(IllegalStateException.class, () -> sealer.seal(ByteBuffer.wrap(header(9)), ByteBuffer.allocate(0), ByteBuffer.allocate(16)));
    assertThrows(IllegalStateException.class, () -> sealer.seal(ByteBuffer.wrap(header(-5)), ByteBuffer.allocate(0), ByteBuffer.allocate(16)));
    assertThrows(IllegalArgumentException.class, () -> sealer.seal(ByteBuffer.wrap(header(11)), ByteBuffer.allocate(4), ByteBuffer.allocate(19)));
    assertThrows(IllegalArgumentException.class, () -> sealer.seal(ByteBuffer.allocate(15), ByteBuffer.allocate(0), ByteBuffer.allocate(16)));
    assertEquals(16, sealer.seal(ByteBuffer.wrap(header(11)), ByteBuffer.allocate(0), ByteBuffer.allocate(16)));
    assertThrows(IllegalArgumentException.class, () -> new FrameCipher(new byte[16]));
  }

  @Test
  void packetNumberIsReadBigEndianFromTheHeaderPosition() {
    ByteBuffer buf = ByteBuffer.allocate(20).position(4);
    buf.duplicate().put(header(0x0102030405060708L));
    assertEquals(0x0102030405060708L, FrameCipher.packetNumber(buf));
  }

  private static void assertRejected(FrameCipher opener, byte[] header, byte[] ct) {
    ByteBuffer in = ByteBuffer.wrap(ct);
    ByteBuffer out = ByteBuffer.allocate(ct.length + 3).position(3);
    assertFalse(opener.open(ByteBuffer.wrap(header), in, out));
    assertEquals(0, in.position());
    assertEquals(3, out.position());
    for (int i = 0; i < out.capacity(); i++) assertEquals(0, out.get(i));
  }

  static byte[] header(long pn) {
    return ByteBuffer.allocate(16).put((byte) 0xd2).put((byte) 1).putShort((short) 0).putInt(7).putLong(pn).array();
  }

  private static ByteBuffer alloc(boolean direct, int n) {
    return direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
  }

  private static byte[] copy(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static byte[] range(int n) {
    return range(0, n);
  }

  private static byte[] range(int from, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (from + i);
    return b;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
