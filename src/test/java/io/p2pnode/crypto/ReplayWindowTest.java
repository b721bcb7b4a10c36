package io.p2pnode.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: each case is a sequence of packet numbers, '+' accepted, '-' rejected. */
class ReplayWindowTest {
  private static final long W = ReplayWindow.WINDOW;

  static Stream<Arguments> cases() {
    return Stream.of(
        row("in order", "0+ 1+ 2+ 3+ 4+"),
        row("duplicate", "0+ 1+ 1- 0-"),
        row("first is not zero", "7+ 0+ 7- 0-"),
        row("reordered in a word", "5+ 3+ 4+ 3- 5- 6+"),
        row("reordered across words", "130+ 2+ 64+ 127+ 128+ 129+ 64-"),
        row("oldest in window kept, one older dropped", "5000+ " + (5000 - W + 1) + "+ " + (5000 - W) + "- 4999+"),
        row("big jump then old ones", "0+ 1000000+ 0- 999999+ " + (1000000 - W) + "- 1000000-"),
        row("ring wrap clears reused word", "10+ 4101+ 4106+ 4106- 10- 4100+"),
        row("jump of exactly one ring", "63+ 4159+ 4095+ 63-"),
        row("jump inside the ring keeps bits", "1+ 2000+ 1- 2+ 2-"),
        row("negative", "-1- 0+ -1-"),
        row("top of range", Long.MAX_VALUE + "+ " + (Long.MAX_VALUE - 1) + "+ " + Long.MAX_VALUE + "-"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void table(String name, long[] numbers, boolean[] expected) {
    ReplayWindow window = new ReplayWindow();
    for (int i = 0; i < numbers.length; i++) {
      assertEquals(expected[i], window.accept(numbers[i]), name + ": packet " + numbers[i] + " (step " + i + ")");
    }
  }

  @Test
  void longSequentialRunWrapsTheRingManyTimes() {
    ReplayWindow window = new ReplayWindow();
    for (long pn = 0; pn < 100_000; pn++) {
      assertTrue(window.accept(pn));
      if (pn % 997 == 0) assertFalse(window.accept(pn - pn % 3));
    }
    assertEquals(99_999, window.highest());
    for (long pn = 99_999 - W + 1; pn < 100_000; pn++) assertFalse(window.accept(pn));
  }

  @Test
  void matchesAReferenceModelOnJitteredArrivals() {
    Random random = new Random(42);
    ReplayWindow window = new ReplayWindow();
    Set<Long> seen = new HashSet<>();
    long highest = -1;
    long next = 0;
    for (int i = 0; i < 200_000; i++) {
      long pn = Math.max(0, next + random.nextInt(6000) - 4500);
      if (random.nextInt(50) == 0) next += random.nextInt(20_000);
      next += random.nextInt(3);
      boolean expected = !seen.contains(pn) && (pn > highest || highest - pn < W);
      assertEquals(expected, window.accept(pn), "packet " + pn + " at step " + i);
      if (expected) {
        seen.add(pn);
        highest = Math.max(highest, pn);
      }
    }
  }

  private static Arguments row(String name, String spec) {
    String[] items = spec.trim().split("\\s+");
    long[] numbers = new long[items.length];
    boolean[] expected = new boolean[items.length];
    for (int i = 0; i < items.length; i++) {
      String item = items[i];
      numbers[i] = Long.parseLong(item.substring(0, item.length() - 1));
      expected[i] = item.endsWith("+");
    }
    return Arguments.of(name, numbers, expected);
  }
}
