package io.p2pnode.config;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * Section {@code punch}: reaching peers behind hard (endpoint-dependent, "symmetric") NATs by
 * birthday probing and port prediction. See the README's "Hard NATs" for what a try costs.
 */
public final class PunchOptions {
  /**
   * Extra UDP sockets the hard side opens towards the easy side per try: with the easy side's
   * 2 000 probes over 64 512 ports, 1 − e^(−256·2000/64512) ≈ 99.96% of tries meet (lab: 20/20).
   */
  public static final int DEFAULT_HARD_SOCKETS = 256;
  /** Most probes the easy side sends per try: one NAT conntrack entry each, held ~30 s by Linux NATs. */
  public static final int DEFAULT_BIRTHDAY_PROBES = 2_000;
  /** Probes per second of the whole node (all tries together): 2 000 probes take 0.4 s, measured 20/20 in the lab. */
  public static final int DEFAULT_BIRTHDAY_RATE = 5_000;
  /**
   * IP TTL of the hard side's opening packets: 2 passes the own NAT (hop 1) and dies at the next
   * router, so the easy side's NAT never sees them (a NAT that keeps unsolicited packets in
   * conntrack would re-map the easy side's probes otherwise). 0 = the system default.
   */
  public static final int DEFAULT_OPENING_TTL = 2;
  /** Tries with hard-NAT strategies per session (at the introduction, then on relay upgrades): then the pair settles on relay. */
  public static final int DEFAULT_HARD_ATTEMPTS = 3;

  static final Set<String> KEYS = Set.of("hardSockets", "birthdayProbes", "birthdayRate", "openingTtl", "hardAttempts");

  private int hardSockets = DEFAULT_HARD_SOCKETS;
  private int birthdayProbes = DEFAULT_BIRTHDAY_PROBES;
  private int birthdayRate = DEFAULT_BIRTHDAY_RATE;
  private int openingTtl = DEFAULT_OPENING_TTL;
  private int hardAttempts = DEFAULT_HARD_ATTEMPTS;

  static PunchOptions fromJson(JsonObject root) {
    JsonFields f = JsonFields.section(root, "punch");
    f.rejectUnknown(KEYS);
    PunchOptions o = new PunchOptions();
    o.hardSockets = (int) f.integer("hardSockets", DEFAULT_HARD_SOCKETS, 0, 1_024);
    o.birthdayProbes = (int) f.integer("birthdayProbes", DEFAULT_BIRTHDAY_PROBES, 0, 64_512);
    o.birthdayRate = (int) f.integer("birthdayRate", DEFAULT_BIRTHDAY_RATE, 1, 100_000);
    o.openingTtl = (int) f.integer("openingTtl", DEFAULT_OPENING_TTL, 0, 255);
    o.hardAttempts = (int) f.integer("hardAttempts", DEFAULT_HARD_ATTEMPTS, 0, 100);
    return o;
  }

  JsonObject toJson() {
    return new JsonObject().put("hardSockets", hardSockets).put("birthdayProbes", birthdayProbes)
      .put("birthdayRate", birthdayRate).put("openingTtl", openingTtl).put("hardAttempts", hardAttempts);
  }

  /** Sockets the hard side opens per try; 0 turns hard-NAT strategies off. */
  public int hardSockets() { return hardSockets; }
  /** Most probes the easy side sends per try. */
  public int birthdayProbes() { return birthdayProbes; }
  /** Probes per second of the whole node. */
  public int birthdayRate() { return birthdayRate; }
  /** IP TTL of opening packets; 0 = system default. */
  public int openingTtl() { return openingTtl; }
  /** Hard-NAT tries per session. */
  public int hardAttempts() { return hardAttempts; }
}
