package io.p2pnode.lab;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.p2pnode.time.ManualScheduler;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * A simulated internet for the in-memory NAT lab. Address realms (the internet, each LAN) hold
 * hosts and the outer interfaces of NATs; a NAT joins an inner realm to an outer one with RFC
 * 4787 behaviour. Every hop costs {@link #hopDelayMs} on the manual clock; loss, duplication and
 * extra random delay (reordering) are optional and seeded, so runs are deterministic.
 */
public final class LabNetwork {
  final ManualScheduler clock = new ManualScheduler();
  final Random random = new Random(42);
  /** The internet. */
  public final Realm internet = new Realm("internet", null);
  long hopDelayMs = 5;
  double loss;
  double duplication;
  long jitterMs;
  long delivered;
  long dropped;
  private final java.util.Set<String> blocked = new java.util.HashSet<>();

  /** An address space: its members by IP, and the NAT it reaches the outside through. */
  public final class Realm {
    final String name;
    final Nat uplink;
    final Map<InetAddress, Object> members = new HashMap<>();

    Realm(String name, Nat uplink) {
      this.name = name;
      this.uplink = uplink;
    }

    /** A host in this realm. */
    public LabHost host(String ip) {
      LabHost h = new LabHost(LabNetwork.this, this, addr(ip));
      members.put(h.ip, h);
      return h;
    }

    /** A NAT whose outer interface is {@code publicIp} in this realm; returns its inner realm. */
    public Realm nat(String name, String publicIp, NatBehavior behavior) {
      Nat nat = new Nat(LabNetwork.this, name, addr(publicIp), behavior, this);
      members.put(nat.publicIp, nat);
      return nat.inside;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static InetAddress addr(String ip) {
    try {
      return InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(ip, e);
    }
  }

  public ManualScheduler clock() {
    return clock;
  }

  public LabNetwork hopDelayMs(long ms) {
    hopDelayMs = ms;
    return this;
  }

  /** Seeds the impairments' random choices (default 42), for runs that differ but repeat. */
  public LabNetwork seed(long seed) {
    random.setSeed(seed);
    return this;
  }

  /** Impairments on every hop: loss and duplication probabilities, extra delay up to {@code jitterMs}. */
  public LabNetwork impair(double loss, double duplication, long jitterMs) {
    this.loss = loss;
    this.duplication = duplication;
    this.jitterMs = jitterMs;
    return this;
  }

  /** Drops every packet between internet addresses {@code a} and {@code b} (both ways), e.g. two NATs' public IPs. */
  public void block(String a, String b, boolean on) {
    String k1 = addr(a) + "|" + addr(b);
    String k2 = addr(b) + "|" + addr(a);
    if (on) {
      blocked.add(k1);
      blocked.add(k2);
    } else {
      blocked.remove(k1);
      blocked.remove(k2);
    }
  }

  Realm newRealm(String name, Nat uplink) {
    return new Realm(name, uplink);
  }

  /** When set, sees every datagram put on the internet (a capture point, like tcpdump on a router's WAN side). */
  public java.util.function.Consumer<byte[]> tap;

  /** A host's default IP TTL. */
  static final int DEFAULT_TTL = 64;

  /** Sends one datagram from {@code src} (an endpoint of {@code realm}) to {@code dst} after one hop. */
  void send(Realm realm, InetSocketAddress src, InetSocketAddress dst, byte[] data) {
    send(realm, src, dst, data, DEFAULT_TTL);
  }

  /** As {@link #send(Realm, InetSocketAddress, InetSocketAddress, byte[])}, with IP TTL {@code ttl}: each NAT it crosses takes one. */
  void send(Realm realm, InetSocketAddress src, InetSocketAddress dst, byte[] data, int ttl) {
    if (realm == internet && tap != null) tap.accept(data);
    if (Boolean.getBoolean("lab.trace")) System.out.println(clock.clock().millis() + " SEND " + realm + " " + src + " -> " + dst);
    if (random.nextDouble() < loss) {
      dropped++;
      return;
    }
    int copies = random.nextDouble() < duplication ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long delay = hopDelayMs + (jitterMs > 0 ? random.nextInt((int) jitterMs + 1) : 0);
      clock.schedule(delay, () -> route(realm, src, dst, data, ttl));
    }
  }

  private void route(Realm realm, InetSocketAddress src, InetSocketAddress dst, byte[] data, int ttl) {
    if (realm == internet && blocked.contains(src.getAddress() + "|" + dst.getAddress())) {
      dropped++;
      return;
    }
    if (Boolean.getBoolean("lab.trace")) System.out.println(clock.clock().millis() + " " + realm + " " + src + " -> " + dst + " " + data.length + "B type " + (data.length > 1 ? data[1] : -1));
    Object target = realm.members.get(dst.getAddress());
    if (target instanceof LabHost h) {
      delivered++;
      h.receive(src, dst.getPort(), Unpooled.wrappedBuffer(data));
    } else if (target instanceof Nat nat) {
      nat.inbound(src, dst, data, ttl);
    } else if (realm.uplink != null) {
      realm.uplink.outbound(src, dst, data, ttl);
    } else {
      dropped++; // no route
    }
  }

  /** Copies a buffer's readable bytes (the datagram leaves the sender's buffer). */
  static byte[] bytes(ByteBuf b) {
    byte[] a = new byte[b.readableBytes()];
    b.getBytes(b.readerIndex(), a);
    return a;
  }
}
