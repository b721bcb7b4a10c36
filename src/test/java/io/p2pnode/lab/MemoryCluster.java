package io.p2pnode.lab;

import io.p2pnode.punch.CoordinatorMesh;
import io.p2pnode.registry.PeerRecord;
import io.p2pnode.registry.SharedRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Clustered coordinators in the in-memory lab: one shared map for the registry and a mesh that
 * hands frames straight to the member coordinator, in place of Hazelcast and the clustered
 * event bus. {@link #kill} takes a member out as a failure detector would.
 */
final class MemoryCluster implements CoordinatorMesh {
  private final Map<String, PeerRecord> records = new HashMap<>();
  private final Map<String, LabNode> members = new LinkedHashMap<>();
  private final Map<String, Consumer<String>> leftHandlers = new HashMap<>();

  /** Joins a lab coordinator. */
  void join(LabNode coordinator) {
    members.put(coordinator.peerId, coordinator);
    coordinator.coordinator.cluster(view(coordinator.peerId), this, () -> coordinator.socket);
  }

  /** The member leaves without a word; the others hear of it. */
  void kill(String id) {
    members.remove(id);
    leftHandlers.remove(id);
    leftHandlers.values().forEach(h -> h.accept(id));
  }

  /** The shared record of {@code peerId}, as every member sees it. */
  PeerRecord record(String peerId) {
    return records.get(peerId);
  }

  /** Rewrites the owner of {@code peerId}'s shared record (as a refresh through that coordinator would). */
  void setOwner(String peerId, String owner) {
    PeerRecord r = records.get(peerId);
    records.put(peerId, new PeerRecord(r.peerId(), r.observed(), r.privateEndpoints(), r.natType(), owner, r.key(),
      r.registeredAtMs(), r.expiresAtMs()));
  }

  private SharedRegistry view(String self) {
    return new SharedRegistry() {
      public void publish(PeerRecord r) {
        records.put(r.peerId(), r);
      }

      public void withdraw(String peerId, String owner) {
        PeerRecord r = records.get(peerId);
        if (r != null && r.owner().equals(owner)) records.remove(peerId);
      }

      public Future<PeerRecord> lookup(String peerId) {
        return Future.succeededFuture(records.get(peerId));
      }

      public void onMemberLeft(Consumer<String> handler) {
        leftHandlers.put(self, handler);
      }

      public JsonObject stats() {
        return new JsonObject().put("entries", records.size());
      }

      public void close() {
      }
    };
  }

  @Override
  public Future<Void> deliver(String coordinator, String peerId, byte[] frame) {
    LabNode c = members.get(coordinator);
    return c != null && c.coordinator.deliverFromCluster(peerId, frame) ? Future.succeededFuture()
      : Future.failedFuture("coordinator " + coordinator + " does not hold " + peerId);
  }

  @Override
  public void forward(String coordinator, String peerId, byte[] frame) {
    deliver(coordinator, peerId, frame);
  }
}
