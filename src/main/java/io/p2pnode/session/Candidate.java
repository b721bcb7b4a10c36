package io.p2pnode.session;

import io.p2pnode.config.Endpoints;
import io.p2pnode.transport.Addrs;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

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
}
