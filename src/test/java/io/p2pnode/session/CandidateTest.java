package io.p2pnode.session;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CandidateTest {
  private static InetSocketAddress ep(String host, int port) {
    return new InetSocketAddress(host, port);
  }

  @Test
  void ipv4OnlyKeepsPublicFirstThenLan() {
    assertEquals(List.of(new Candidate(ep("203.0.113.2", 7700), Path.DIRECT), new Candidate(ep("192.168.1.10", 7700), Path.DIRECT_LAN)),
      Candidate.of(ep("203.0.113.2", 7700), List.of(ep("192.168.1.10", 7700), ep("203.0.113.2", 7700))));
  }

  /** Global IPv6 host addresses are direct (no NAT) and go first; unique-local ones are LAN; duplicates once. */
  @Test
  void globalIpv6PrivatesAreDirectAndFirst() {
    List<Candidate> c = Candidate.of(ep("203.0.113.2", 7700),
      List.of(ep("2001:db8:b::10", 7700), ep("fd00::10", 7700), ep("192.168.1.10", 7700), ep("2001:db8:b::10", 7700)));
    assertEquals(List.of(new Candidate(ep("2001:db8:b::10", 7700), Path.DIRECT), new Candidate(ep("203.0.113.2", 7700), Path.DIRECT),
      new Candidate(ep("fd00::10", 7700), Path.DIRECT_LAN), new Candidate(ep("192.168.1.10", 7700), Path.DIRECT_LAN)), c);
  }

  @Test
  void ipv6OnlyPeerIsDirect() {
    assertEquals(List.of(new Candidate(ep("2001:db8:b::10", 7700), Path.DIRECT)),
      Candidate.of(ep("2001:db8:b::10", 7700), List.of(ep("2001:db8:b::10", 7700))));
  }

  @Test
  void ipv4MappedCandidatesAreIpv4() throws Exception {
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 203, 0, 113, 2};
    InetSocketAddress m = new InetSocketAddress(Inet6Address.getByAddress(null, mapped, -1), 7700);
    assertEquals(List.of(new Candidate(ep("203.0.113.2", 7700), Path.DIRECT)), Candidate.of(m, List.of(ep("203.0.113.2", 7700))));
    assertEquals(List.of(new Candidate(ep("203.0.113.2", 7701), Path.DIRECT_TCP)), Candidate.tcp(new InetSocketAddress(m.getAddress(), 7701),
      List.of(ep("203.0.113.2", 7700)), 7701));
  }
}
