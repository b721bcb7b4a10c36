package io.p2pnode.soak;

import java.util.HashMap;
import java.util.Map;

/**
 * The delivery invariants of one receiving node, checked as messages arrive: per (sender
 * incarnation, address) stream the sequence numbers only go up by exactly one — never a
 * duplicate, never out of order — except that a gap is allowed where the sender was told of a
 * failure in between (its "epoch" for this peer changed: it saw the session go down, or a
 * confirmed send of the stream failed, so what was in flight then may be lost). Thread-safe.
 */
final class StreamChecker {
  private record Last(int epoch, long seq) {
  }

  private final Map<String, Last> streams = new HashMap<>();
  private long received;
  private long gapsAcrossBreaks;
  private long violations;
  private String firstViolation;

  /** A message of stream {@code key} (sender, incarnation, address) with the sender's epoch and sequence number. */
  synchronized void onMessage(String key, int epoch, long seq) {
    received++;
    Last last = streams.put(key, new Last(epoch, seq));
    if (last == null || seq == last.seq + 1) return;
    if (seq > last.seq + 1 && epoch != last.epoch) {
      gapsAcrossBreaks++;
      return;
    }
    violations++;
    if (firstViolation == null) {
      firstViolation = key + ": " + (seq <= last.seq ? "duplicate or out of order" : "gap without a session break")
        + " (" + last.seq + "@" + last.epoch + " then " + seq + "@" + epoch + ")";
    }
  }

  /** A violation found elsewhere (a wrong reply, a corrupt large message). */
  synchronized void violation(String what) {
    violations++;
    if (firstViolation == null) firstViolation = what;
  }

  synchronized long received() {
    return received;
  }

  synchronized long gapsAcrossBreaks() {
    return gapsAcrossBreaks;
  }

  synchronized long violations() {
    return violations;
  }

  synchronized String firstViolation() {
    return firstViolation;
  }
}
