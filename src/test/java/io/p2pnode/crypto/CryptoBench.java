package io.p2pnode.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Micro-benchmark (a main, not a test): Noise IK handshakes per second (initiator and responder
 * in one thread), X25519 and {@code Cipher.init} costs, and {@link FrameCipher} seal+open
 * throughput against a plain copy of the same bytes, for 64, 1 200 B (a full datagram on the
 * internet) and 65 000 B (one on loopback) on heap
 * and direct buffers, and the heap bytes each seal+open allocates. Single-threaded, time-boxed loops after a
 * warm-up; figures are indicative.
 *
 * <pre>java -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) io.p2pnode.crypto.CryptoBench [seconds]</pre>
 */
public final class CryptoBench {
  private static long sink;

  private CryptoBench() {
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
    System.out.printf("java %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vm.name"));
    SecureRandom random = new SecureRandom();
    X25519KeyPair a = X25519KeyPair.generate(random);
    X25519KeyPair b = X25519KeyPair.generate(random);
    report("X25519 DH", run(seconds, () -> sink += X25519.dh(a.privateKeyRef(), b.publicKeyRef())[0]), 0);
    report("Noise IK handshake (both sides)", run(seconds, () -> handshake(a, b)), 0);
    report("AES-GCM Cipher.init (encrypt, new IV)", run(seconds, initLoop()), 0);
    for (int size : new int[] {64, 1200, 65_000}) {
      for (boolean direct : new boolean[] {false, true}) {
        String kind = (direct ? "direct" : "heap") + " " + size + " B";
        report("copy baseline, " + kind, run(seconds, copyLoop(size, direct)), size);
        report("FrameCipher seal+open, " + kind, run(seconds, frameLoop(size, direct)), size);
        System.out.printf("%-42s %12.0f B allocated per seal+open%n", "", allocatedPerOp(frameLoop(size, direct)));
      }
    }
    if (sink == 42) System.out.println();
  }

  /** Complete Noise IK handshakes (initiator and responder, one thread) per second, over {@code seconds}. */
  public static double handshakesPerSecond(double seconds) throws Exception {
    SecureRandom random = new SecureRandom();
    X25519KeyPair a = X25519KeyPair.generate(random);
    X25519KeyPair b = X25519KeyPair.generate(random);
    return run(seconds, () -> handshake(a, b));
  }

  /**
   * Bytes per second that {@link FrameCipher} seals alone, in place on the heap as a session seals
   * its datagrams, {@code size}-byte payloads, one thread, over {@code seconds} after a warm-up:
   * what the cipher leaves of a core for everything else.
   */
  public static double sealBytesPerSecond(int size, double seconds) throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    FrameCipher sealer = new FrameCipher(key);
    ByteBuffer header = ByteBuffer.allocate(16);
    ByteBuffer frame = ByteBuffer.allocate(size + 16);
    long[] pn = {0};
    return size * run(seconds, () -> {
      header.putLong(8, pn[0]++);
      ByteBuffer plain = frame.clear().duplicate().limit(size);
      sealer.seal(header, plain, frame);
      sink += frame.get(0);
    });
  }

  private static void handshake(X25519KeyPair a, X25519KeyPair b) throws CryptoException {
    NoiseHandshake init = NoiseHandshake.initiator(HandshakePattern.IK).localStatic(a).remoteStatic(b.publicKeyRef()).build();
    NoiseHandshake resp = NoiseHandshake.responder(HandshakePattern.IK).localStatic(b).build();
    resp.readMessage(init.writeMessage(new byte[0]));
    init.readMessage(resp.writeMessage(new byte[0]));
    sink += init.result().sendKey()[0];
  }

  private static Op initLoop() throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
    byte[] iv = new byte[12];
    long[] n = {0};
    return () -> {
      ByteBuffer.wrap(iv, 4, 8).putLong(n[0]++);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
    };
  }

  private static Op copyLoop(int size, boolean direct) {
    ByteBuffer payload = alloc(direct, size);
    ByteBuffer wire = alloc(direct, size + 16);
    ByteBuffer back = alloc(direct, size);
    return () -> {
      wire.clear();
      wire.put(payload.clear());
      back.clear().put(wire.flip());
      sink += back.get(0);
    };
  }

  private static Op frameLoop(int size, boolean direct) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    FrameCipher sealer = new FrameCipher(key);
    FrameCipher opener = new FrameCipher(key);
    ByteBuffer header = alloc(direct, 16);
    ByteBuffer payload = alloc(direct, size);
    ByteBuffer wire = alloc(direct, size + 16);
    ByteBuffer back = alloc(direct, size);
    long[] pn = {0};
    return () -> {
      header.putLong(8, pn[0]++);
      sealer.seal(header, payload.clear(), wire.clear());
      if (!opener.open(header, wire.flip(), back.clear())) throw new IllegalStateException("open failed");
      sink += back.get(0);
    };
  }

  /** Heap bytes this thread allocates per run of {@code op} (after a warm-up), as the JDK's GCM forces them. */
  static double allocatedPerOp(Op op) throws Exception {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    loop(0.5, op);
    int n = 100_000;
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < n; i++) op.run();
    return (threads.getCurrentThreadAllocatedBytes() - before) / (double) n;
  }

  /** Runs {@code op} for a warm-up and then {@code seconds}; returns operations per second. */
  private static double run(double seconds, Op op) throws Exception {
    loop(Math.max(0.5, seconds / 2), op);
    return loop(seconds, op);
  }

  private static double loop(double seconds, Op op) throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    long count = 0;
    long now;
    do {
      for (int i = 0; i < 64; i++) op.run();
      count += 64;
      now = System.nanoTime();
    } while (now < end);
    return count / ((now - start) / 1e9);
  }

  private static void report(String what, double perSecond, int bytes) {
    String rate = bytes == 0 ? "" : String.format("  %8.1f MB/s", perSecond * bytes / 1e6);
    System.out.printf("%-42s %12.0f /s  %8.3f µs%s%n", what, perSecond, 1e6 / perSecond, rate);
  }

  private static ByteBuffer alloc(boolean direct, int n) {
    return direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
  }

  @FunctionalInterface
  private interface Op {
    void run() throws Exception;
  }
}
