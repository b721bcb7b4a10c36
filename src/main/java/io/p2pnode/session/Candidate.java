package io.p2pnode.session;

import io.p2pnode.config.Endpoints;
import io.p2pnode.transport.Addrs;
import io.p2pnode.transport.RelayEndpoint;
import io.p2pnode.transport.TcpEndpoint;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** An address to punch towards, and the path it gives when it wins. */
public record Candidate(InetSocketAddress address, Path path) {

  @Override
  public String toString() {
    return path.wireName() + "@" + Endpoints.format(address);
  }

  /**
   * The TCP candidates of an introduced peer ({@link Path#DIRECT_TCP}): its public TCP endpoint
   * (when known), then its private addresses with its TCP port; none when it has no TCP.
   */
  public static List<Candidate> tcp(InetSocketAddress publicTcp, List<InetSocketAddress> privateEndpoints, int tcpPort) {
    if (tcpPort == 0) return List.of();
    List<Candidate> out = new ArrayList<>();
    publicTcp = Addrs.normalise(publicTcp);
    if (publicTcp != null && publicTcp.getPort() != 0) out.add(new Candidate(publicTcp, Path.DIRECT_TCP));
    for (InetSocketAddress p : privateEndpoints) {
      InetSocketAddress t = new InetSocketAddress(Addrs.normalise(p.getAddress()), tcpPort);
      if (!t.equals(publicTcp) && out.stream().noneMatch(c -> c.address().equals(t))) out.add(new Candidate(t, Path.DIRECT_TCP));
    }
    return List.copyOf(out);
  }

  /**
   * The candidates of an introduced peer: its direct IPv6 endpoints first (its global IPv6
   * addresses, 2000::/3, which it reports among its private endpoints: no NAT between, so they
   * are {@link Path#DIRECT}), then its public endpoint ({@link Path#DIRECT}), then its other
   * private endpoints ({@link Path#DIRECT_LAN}) that differ from it. A private endpoint equal to
   * the public one means the peer is not behind NAT: it stays {@code DIRECT}. Addresses are
   * {@linkplain Addrs#normalise normalised}; duplicates are left out.
   */
  public static List<Candidate> of(InetSocketAddress publicEndpoint, List<InetSocketAddress> privateEndpoints) {
    List<Candidate> v6 = new ArrayList<>();
    List<Candidate> rest = new ArrayList<>();
    InetSocketAddress pub = Addrs.normalise(publicEndpoint);
    if (pub != null && pub.getPort() != 0) (Addrs.isGlobalV6(pub.getAddress()) ? v6 : rest).add(new Candidate(pub, Path.DIRECT));
    for (InetSocketAddress raw : privateEndpoints) {
      InetSocketAddress p = Addrs.normalise(raw);
      if (p.equals(pub) || v6.stream().anyMatch(c -> c.address().equals(p)) || rest.stream().anyMatch(c -> c.address().equals(p))) {
        continue;
      }
      if (Addrs.isGlobalV6(p.getAddress())) v6.add(new Candidate(p, Path.DIRECT));
      else rest.add(new Candidate(p, Path.DIRECT_LAN));
    }
    v6.addAll(rest);
    return List.copyOf(v6);
  }

  // ---------------------------------------------------------------- choosing among answers (PathFinder)

  /** How good a path is: LAN, then direct over IPv6, direct over IPv4, TCP, relay. */
  static int rank(Candidate c) {
    return switch (c.path()) {
      case DIRECT_LAN -> 4;
      case DIRECT -> Addrs.isV6(c.address()) ? 3 : 2;
      case DIRECT_TCP -> 1;
      case RELAY -> 0;
    };
  }

  /** The candidates a socket bound to {@code bound} can send to: an IPv4-only one no IPv6 candidates, and the reverse. */
  static List<Candidate> reachable(InetSocketAddress bound, List<Candidate> candidates) {
    if (bound == null || candidates.stream().allMatch(c -> Addrs.reaches(bound, c.address()))) return candidates;
    return candidates.stream().filter(c -> Addrs.reaches(bound, c.address())).toList();
  }

  /** Which candidate {@code from} is: a relay, a TCP link, one of {@code punched}, or a peer-reflexive public address. */
  static Candidate answering(InetSocketAddress from, List<Candidate> punched) {
    if (from instanceof RelayEndpoint) return new Candidate(from, Path.RELAY);
    if (from instanceof TcpEndpoint) return new Candidate(from, Path.DIRECT_TCP);
    for (Candidate c : punched) if (RelayEndpoint.same(c.address(), from)) return c;
    return new Candidate(from, Path.DIRECT);
  }

  /**
   * Whether waiting for a LAN candidate is worth it: the peer has one, and it sits behind the same
   * public address as we do ({@code localPublic}: same NAT), or we do not know ours. Private
   * addresses of a peer behind another NAT are unreachable from here however long we wait.
   */
  static boolean lanMayAnswer(List<Candidate> candidates, Supplier<InetSocketAddress> localPublic) {
    if (candidates.stream().noneMatch(x -> x.path() == Path.DIRECT_LAN)) return false;
    InetSocketAddress mine = localPublic.get();
    if (mine == null) return true;
    return candidates.stream().filter(x -> x.path() == Path.DIRECT)
      .anyMatch(x -> x.address().getAddress().equals(mine.getAddress()));
  }

  /**
   * Whether waiting for an IPv6 candidate is worth it: {@code answered} is a direct IPv4 one, and
   * the peer has a direct IPv6 candidate this node can reach (one that answers within
   * {@code session.lanGraceMs} wins: no NAT on the way, no mapping to keep open).
   */
  static boolean v6MayAnswer(Candidate answered, List<Candidate> candidates) {
    return answered.path() == Path.DIRECT && !Addrs.isV6(answered.address())
      && candidates.stream().anyMatch(x -> x.path() == Path.DIRECT && Addrs.isV6(x.address()));
  }

  /**
   * Where an authenticated frame of the session from {@code sender} moves a path on {@code winner}:
   * another direct address than the path's, or {@code null} (not moved, a relay on either side).
   * UDP is preferred: a frame over TCP moves only a TCP path (to the connection the peer uses), a
   * frame over UDP moves a TCP path to UDP; across IP families only upwards (IPv4 to IPv6): when the
   * two sides locked different families, both end on IPv6.
   */
  static Candidate roamed(InetSocketAddress sender, Candidate winner, List<Candidate> punched) {
    InetSocketAddress remote = winner.address();
    if (sender instanceof RelayEndpoint || remote instanceof RelayEndpoint || RelayEndpoint.same(sender, remote)) return null;
    if (sender instanceof TcpEndpoint && !(remote instanceof TcpEndpoint)) return null;
    if (!(sender instanceof TcpEndpoint) && Addrs.isV6(sender) != Addrs.isV6(remote) && !Addrs.isV6(sender)) return null;
    Path p = sender instanceof TcpEndpoint ? Path.DIRECT_TCP
      : Addrs.isV6(sender) != Addrs.isV6(remote) ? answering(sender, punched).path()
      : winner.path() == Path.DIRECT_LAN ? Path.DIRECT_LAN : Path.DIRECT;
    return new Candidate(sender, p);
  }
}
