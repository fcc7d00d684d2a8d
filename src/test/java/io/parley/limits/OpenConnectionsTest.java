package io.parley.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OpenConnectionsTest {
  @Test
  void anAddressHoldsItsShareAndGetsAPlaceBackWhenOneCloses() throws Exception {
    OpenConnections open = new OpenConnections(3, peer -> false);
    InetAddress client = InetAddress.getByName("198.51.100.7");
    List<Runnable> places = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      places.add(open.admit(client).orElseThrow());
    }
    assertEquals(Optional.empty(), open.admit(client), "a fourth from the same address");
    assertTrue(open.admit(InetAddress.getByName("198.51.100.8")).isPresent(), "another address has its own share");
    places.get(0).run();
    places.get(0).run(); // given back once, however often it is called
    assertEquals(2, open.count(client));
    assertTrue(open.admit(client).isPresent());
    assertEquals(Optional.empty(), open.admit(client));
    places.forEach(Runnable::run);
    assertEquals(1, open.count(client));
  }

  @Test
  void anIpv6ClientIsCountedPerSlash64() throws Exception {
    OpenConnections open = new OpenConnections(2, peer -> false);
    assertTrue(open.admit(InetAddress.getByName("2001:db8:1:2::1")).isPresent());
    assertTrue(open.admit(InetAddress.getByName("2001:db8:1:2:ffff::9")).isPresent());
    assertEquals(Optional.empty(), open.admit(InetAddress.getByName("2001:db8:1:2:abcd::5")),
        "one host is given a whole /64: its addresses share one count");
    assertTrue(open.admit(InetAddress.getByName("2001:db8:1:3::1")).isPresent(), "the next /64 is someone else");
  }

  @Test
  void trustedProxiesAreNotCounted() throws Exception {
    ClientAddress proxies = ClientAddress.trusting("10.0.0.5");
    OpenConnections open = new OpenConnections(1, proxies::isTrustedProxy);
    InetAddress proxy = InetAddress.getByName("10.0.0.5");
    for (int i = 0; i < 10; i++) {
      assertTrue(open.admit(proxy).isPresent(), "everyone comes through the proxy");
    }
    InetAddress client = InetAddress.getByName("10.0.0.6");
    assertTrue(open.admit(client).isPresent());
    assertEquals(Optional.empty(), open.admit(client));
  }
}
