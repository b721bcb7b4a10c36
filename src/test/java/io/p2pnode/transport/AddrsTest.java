package io.p2pnode.transport;

import io.p2pnode.config.Endpoints;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AddrsTest {
  private static final byte[] MAPPED = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 203, 0, 113, 7};

  private static InetSocketAddress mapped(int port) throws Exception {
    return new InetSocketAddress(Inet6Address.getByAddress(null, MAPPED, -1), port);
  }

  private static InetSocketAddress ep(String host, int port) {
    return new InetSocketAddress(host, port);
  }

  @Test
  void ipv4MappedBecomesIpv4AndEqualsItsTwin() throws Exception {
    InetSocketAddress m = mapped(7700);
    assertNotEquals(ep("203.0.113.7", 7700), m, "the JDK keeps them apart");
    InetSocketAddress n = Addrs.normalise(m);
    assertInstanceOf(Inet4Address.class, n.getAddress());
    assertEquals(ep("203.0.113.7", 7700), n);
    assertFalse(Addrs.isV6(m));
    assertEquals("203.0.113.7:7700", Endpoints.format(m));
  }

  @Test
  void otherAddressesStayTheSameObject() {
    for (InetSocketAddress a : List.of(ep("203.0.113.7", 1), ep("2001:db8::1", 2), ep("::1", 3), ep("::", 4))) {
      assertSame(a, Addrs.normalise(a), a.toString());
    }
    assertNull(Addrs.normalise((InetSocketAddress) null));
  }

  @Test
  void relayAndTcpEndpointsKeepTheirKindAndNormaliseWhenMade() throws Exception {
    RelayEndpoint r = new RelayEndpoint(mapped(7700), "bob");
    assertSame(r, Addrs.normalise(r));
    assertEquals(ep("203.0.113.7", 7700), new InetSocketAddress(r.getAddress(), r.getPort()));
  }

  @Test
  void globalIpv6Is2000Slash3() throws Exception {
    assertTrue(Addrs.isGlobalV6(InetAddress.getByName("2001:db8:a::10")));
    assertTrue(Addrs.isGlobalV6(InetAddress.getByName("2a00:1450::1")));
    assertFalse(Addrs.isGlobalV6(InetAddress.getByName("fd00::2")), "unique local");
    assertFalse(Addrs.isGlobalV6(InetAddress.getByName("fe80::1")), "link local");
    assertFalse(Addrs.isGlobalV6(InetAddress.getByName("::1")));
    assertFalse(Addrs.isGlobalV6(InetAddress.getByName("203.0.113.7")));
  }

  @Test
  void anIpv4BindReachesIpv4OnlyTheIpv6WildcardBoth() throws Exception {
    InetSocketAddress v4 = ep("203.0.113.7", 1);
    InetSocketAddress v6 = ep("2001:db8::1", 1);
    assertTrue(Addrs.reaches(ep("0.0.0.0", 7700), v4));
    assertFalse(Addrs.reaches(ep("0.0.0.0", 7700), v6));
    assertTrue(Addrs.reaches(ep("::", 7700), v4));
    assertTrue(Addrs.reaches(ep("::", 7700), v6));
    assertTrue(Addrs.reaches(ep("::", 7700), mapped(1)));
    assertFalse(Addrs.reaches(ep("::1", 7700), v4));
    assertTrue(Addrs.reaches(ep("::1", 7700), v6));
    assertEquals(List.of(v4, ep("203.0.113.7", 1)), Addrs.reachable(ep("0.0.0.0", 0), List.of(v4, v6, mapped(1))));
  }

  @Test
  void onlyGlobalAndUniqueLocalIpv6AreReported() throws Exception {
    assertTrue(LocalEndpoints.usableV6(InetAddress.getByName("2001:db8:a::10")));
    assertTrue(LocalEndpoints.usableV6(InetAddress.getByName("fd00::2")));
    assertFalse(LocalEndpoints.usableV6(InetAddress.getByName("fe80::1")));
    assertFalse(LocalEndpoints.usableV6(InetAddress.getByName("::1")));
    assertFalse(LocalEndpoints.usableV6(InetAddress.getByName("ff02::1")));
    assertFalse(LocalEndpoints.usableV6(InetAddress.getByName("10.0.0.1")));
  }

  @Test
  void aDualStackBindReportsIpv6FirstAnIpv4BindNone() {
    List<InetSocketAddress> v4only = LocalEndpoints.of(ep("0.0.0.0", 7700));
    assertTrue(v4only.stream().noneMatch(Addrs::isV6), v4only.toString());
    List<InetSocketAddress> dual = LocalEndpoints.of(ep("::", 7700));
    assertTrue(dual.containsAll(v4only) || v4only.stream().allMatch(a -> a.getAddress().isLoopbackAddress()), dual + " vs " + v4only);
    // IPv6 ones (when the host has any) first, none with a scope
    boolean seenV4 = false;
    for (InetSocketAddress a : dual) {
      if (!Addrs.isV6(a)) seenV4 = true;
      else assertFalse(seenV4, "IPv6 before IPv4: " + dual);
      if (a.getAddress() instanceof Inet6Address six) assertEquals(0, six.getScopeId(), dual.toString());
      assertEquals(7700, a.getPort());
    }
    assertEquals(List.of(ep("2001:db8::5", 7700)), LocalEndpoints.of(ep("2001:db8::5", 7700)));
  }
}
