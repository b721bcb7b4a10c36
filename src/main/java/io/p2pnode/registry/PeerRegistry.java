package io.p2pnode.registry;

/**
 * The peer registry a coordinator consults: peer id → {@link PeerRecord}. The standalone node uses
 * {@link LocalPeerRegistry}; clustered coordinators share one through Hazelcast.
 * Implementations are confined to the coordinator's context.
 */
public interface PeerRegistry {
  /**
   * Inserts or refreshes a record.
   *
   * @return false when the registry is full and {@code record} is a new peer
   */
  boolean put(PeerRecord record);

  /** The live record of {@code peerId}, or {@code null} if unknown or expired at {@code nowMs}. */
  PeerRecord get(String peerId, long nowMs);

  /** Removes a record; returns the removed one or {@code null}. */
  PeerRecord remove(String peerId);

  /** Drops every record expired at {@code nowMs}; returns how many. */
  int expire(long nowMs);

  /** Calls {@code action} with every record, expired ones not yet swept included. */
  void forEach(java.util.function.Consumer<PeerRecord> action);

  /** Number of records, expired ones not yet swept included. */
  int size();
}
