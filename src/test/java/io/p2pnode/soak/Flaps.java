package io.p2pnode.soak;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Path flaps on loopback: iptables drops UDP between two peers' ports (both ways) for a few
 * seconds, so their direct path dies, they re-punch and fall back to the relay (or TCP), then come
 * back. Needs root and iptables; every rule carries a comment so {@link #clear} removes them all.
 */
final class Flaps {
  private static final String TAG = "p2p-soak";
  private final int portA;
  private final int portB;
  private final boolean available;
  private long healAtNanos = -1;

  Flaps(int portA, int portB) {
    this.portA = portA;
    this.portB = portB;
    this.available = run("iptables", "-w", "-L", "INPUT", "-n") == 0;
    if (!available) System.out.println("soak: no iptables (or not root): path flaps are left out");
    clear();
  }

  boolean available() {
    return available;
  }

  /** Cuts the direct path for {@code seconds}. */
  void cut(long seconds) {
    if (!available || healAtNanos >= 0) return;
    rule("-I", portA, portB);
    rule("-I", portB, portA);
    healAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
  }

  /** Heals the cut once its time is up. */
  void healDue() {
    if (healAtNanos >= 0 && System.nanoTime() - healAtNanos >= 0) clear();
  }

  /** Removes every rule the soak added. */
  void clear() {
    healAtNanos = -1;
    if (!available) return;
    while (rule("-D", portA, portB) == 0) { /* until gone */ }
    while (rule("-D", portB, portA) == 0) { /* until gone */ }
  }

  private int rule(String op, int from, int to) {
    return run("iptables", "-w", op, "INPUT", "-i", "lo", "-p", "udp", "--sport", String.valueOf(from), "--dport", String.valueOf(to),
      "-m", "comment", "--comment", TAG, "-j", "DROP");
  }

  private static int run(String... cmd) {
    try {
      Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (Exception e) {
      return -1;
    }
  }
}
