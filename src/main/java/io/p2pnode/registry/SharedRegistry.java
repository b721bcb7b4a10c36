package io.p2pnode.registry;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The registry clustered coordinators share: every coordinator publishes the peers registered
 * with it, and looks up the peers registered elsewhere. Asynchronous: a lookup may cross the
 * network. Futures complete on the context that created the registry.
 */
public interface SharedRegistry {
  /** Inserts or refreshes {@code record}; it expires at {@link PeerRecord#expiresAtMs()} unless published again. */
  void publish(PeerRecord record);

  /** Removes {@code peerId} if this coordinator ({@code owner}) is still the one the shared record names. */
  void withdraw(String peerId, String owner);

  /** The shared record of {@code peerId}, or {@code null} when no coordinator holds it. */
  Future<PeerRecord> lookup(String peerId);

  /**
   * Called (on the registry's context) when a coordinator leaves the cluster, with its id: the
   * survivors then publish their own registrations again, so that peers registered with several
   * coordinators are owned by a live one at once.
   */
  void onMemberLeft(java.util.function.Consumer<String> handler);

  /** Figures for {@code p2p.status}: entries held by this member, their memory, members. */
  JsonObject stats();

  /** Stops listening to the cluster. */
  void close();
}
