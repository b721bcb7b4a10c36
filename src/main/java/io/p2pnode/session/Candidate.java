package io.p2pnode.session;

import io.p2pnode.config.Endpoints;

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
   * The candidates of an introduced peer: its public endpoint ({@link Path#DIRECT}) first, then
   * its private endpoints ({@link Path#DIRECT_LAN}) that differ from it. A private endpoint equal
   * to the public one means the peer is not behind NAT: it stays {@code DIRECT}.
   */
  /**
   * The TCP candidates of an introduced peer ({@link Path#DIRECT_TCP}): its public TCP endpoint
   * (when known), then its private addresses with its TCP port; none when it has no TCP.
   */
  public static List<Candidate> tcp(InetSocketAddress publicTcp, List<InetSocketAddress> privateEndpoints, int tcpPort) {
    if (tcpPort == 0) return List.of();
    List<Candidate> out = new ArrayList<>();
    if (publicTcp != null && publicTcp.getPort() != 0) out.add(new Candidate(publicTcp, Path.DIRECT_TCP));
    for (InetSocketAddress p : privateEndpoints) {
      InetSocketAddress t = new InetSocketAddress(p.getAddress(), tcpPort);
      if (!t.equals(publicTcp) && out.stream().noneMatch(c -> c.address().equals(t))) out.add(new Candidate(t, Path.DIRECT_TCP));
    }
    return List.copyOf(out);
  }

  public static List<Candidate> of(InetSocketAddress publicEndpoint, List<InetSocketAddress> privateEndpoints) {
    List<Candidate> out = new ArrayList<>();
    if (publicEndpoint != null && publicEndpoint.getPort() != 0) out.add(new Candidate(publicEndpoint, Path.DIRECT));
    for (InetSocketAddress p : privateEndpoints) {
      if (!p.equals(publicEndpoint)) out.add(new Candidate(p, Path.DIRECT_LAN));
    }
    return List.copyOf(out);
  }
}
