package io.p2pnode.registry;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.LocalMapStats;
import io.p2pnode.time.Clock;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link SharedRegistry} of clustered coordinators: the Hazelcast map {@value #MAP}, peer id
 * → {@link PeerRecord} as JSON, each entry with a time-to-live up to the record's expiry (a peer
 * that stops refreshing disappears from every member). Backups, split-brain merge
 * ({@link NewestRegistrationWins}) and near caching come from the map's configuration in the
 * Hazelcast config file. Writes are asynchronous and never block the caller's event loop.
 */
public final class HazelcastRegistry implements SharedRegistry {
  /** The name of the map in the Hazelcast configuration. */
  public static final String MAP = "p2p.registry";
  private static final Logger LOG = Logger.getLogger("p2p.registry");

  private final HazelcastInstance hazelcast;
  private final IMap<String, String> map;
  private final Context context;
  private final Clock clock;
  private final java.time.Clock wall;
  private final UUID membershipListener;
  private final AtomicLong failedWrites = new AtomicLong();
  private final AtomicLong unreadable = new AtomicLong();
  private volatile Consumer<String> memberLeft = id -> { };

  /**
   * @param context where lookups complete and the member-left handler runs
   * @param clock   the coordinator's (monotonic) clock, in which local records are stamped
   * @param wall    wall-clock time: shared records are stamped in it, so that coordinators on
   *                different machines compare registrations (newest wins) on one time line
   */
  public HazelcastRegistry(HazelcastInstance hazelcast, Context context, Clock clock, java.time.Clock wall) {
    this.wall = wall;
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMap(MAP);
    this.context = context;
    this.clock = clock;
    this.membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
        // nothing: the newcomer learns the registry from the map's partitions
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        context.runOnContext(v -> memberLeft.accept(e.getMember().getUuid().toString()));
      }
    });
  }

  @Override
  public void publish(PeerRecord record) {
    long now = clock.millis();
    long ttl = record.expiresAtMs() - now;
    if (ttl <= 0) return;
    long shift = wall.millis() - now; // monotonic -> wall clock
    PeerRecord shared = record.at(record.registeredAtMs() + shift, record.expiresAtMs() + shift);
    map.setAsync(record.peerId(), shared.toJson().encode(), ttl, TimeUnit.MILLISECONDS).whenComplete((v, err) -> {
      if (err != null) failed("publish " + record.peerId(), err);
    });
  }

  @Override
  public void withdraw(String peerId, String owner) {
    map.getAsync(peerId).thenCompose(json -> {
      PeerRecord r = parse(json);
      return r != null && owner.equals(r.owner()) ? map.removeAsync(peerId) : java.util.concurrent.CompletableFuture.completedFuture(null);
    }).whenComplete((v, err) -> {
      if (err != null) failed("withdraw " + peerId, err);
    });
  }

  @Override
  public Future<PeerRecord> lookup(String peerId) {
    return Future.fromCompletionStage(map.getAsync(peerId), context).map(this::parse);
  }

  private PeerRecord parse(String json) {
    if (json == null) return null;
    try {
      return PeerRecord.fromJson(new JsonObject(json));
    } catch (RuntimeException e) {
      unreadable.incrementAndGet();
      LOG.warning("unreadable registry entry dropped: " + e.getMessage());
      return null;
    }
  }

  private void failed(String what, Throwable err) {
    failedWrites.incrementAndGet();
    LOG.log(Level.FINE, what + " failed", err);
  }

  @Override
  public void onMemberLeft(Consumer<String> handler) {
    this.memberLeft = handler;
  }

  @Override
  public JsonObject stats() {
    LocalMapStats s = map.getLocalMapStats();
    return new JsonObject().put("map", MAP).put("ownedEntries", s.getOwnedEntryCount())
      .put("backupEntries", s.getBackupEntryCount()).put("ownedBytes", s.getOwnedEntryMemoryCost())
      .put("backupBytes", s.getBackupEntryMemoryCost()).put("members", hazelcast.getCluster().getMembers().size())
      .put("failedWrites", failedWrites.get()).put("unreadableEntries", unreadable.get());
  }

  @Override
  public void close() {
    try {
      hazelcast.getCluster().removeMembershipListener(membershipListener);
    } catch (RuntimeException e) {
      // the instance is already shutting down
    }
  }
}
