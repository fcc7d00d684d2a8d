package io.parley.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.EntityHarness;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class AddressLimitsTest {
  @Test
  void anAddressGetsItsBurstThenWaitsForTheRate() {
    EntityHarness.ManualClock clock = new EntityHarness.ManualClock();
    AddressLimits limits = new AddressLimits(2, 5, 1000, clock);
    for (int i = 0; i < 5; i++) {
      assertEquals(OptionalLong.empty(), limits.take("198.51.100.7"), "request " + i + " of the burst");
    }
    OptionalLong wait = limits.take("198.51.100.7");
    assertTrue(wait.isPresent() && wait.getAsLong() >= 1, "past the burst: told to wait " + wait);
    assertEquals(OptionalLong.empty(), limits.take("198.51.100.8"), "another address has its own bucket");
    clock.advance(Duration.ofMillis(500));
    assertEquals(OptionalLong.empty(), limits.take("198.51.100.7"), "2 a second: one more after half a second");
    assertTrue(limits.take("198.51.100.7").isPresent());
  }

  @Test
  void anIpv6ClientHasOneBucketForItsSlash64() {
    AddressLimits limits = new AddressLimits(1, 2, 1000, new EntityHarness.ManualClock());
    assertEquals(OptionalLong.empty(), limits.take("2001:db8:1:2::1"));
    assertEquals(OptionalLong.empty(), limits.take("2001:db8:1:2:0:0:0:2"));
    assertTrue(limits.take("2001:db8:1:2:ffff::3").isPresent(),
        "one host is given a whole /64: a new address from it is not a new bucket");
    assertEquals(OptionalLong.empty(), limits.take("2001:db8:1:3::1"), "the next /64 is someone else");
    assertEquals(OptionalLong.empty(), limits.take("198.51.100.7"));
  }

  /** Anything else InetAddress.getByName looks up in DNS, on the request's thread for a forwarded hop. */
  @Test
  void onlyAddressesWrittenOutAreTakenAsAddresses() throws Exception {
    for (String literal : new String[] {"10.0.0.1", "255.255.255.255", "::1", "2001:db8::1", "::ffff:10.0.0.1"}) {
      assertTrue(ClientAddress.isLiteral(literal), literal);
    }
    for (String name : new String[] {"cafe.bad", "cafe", "1.2.3.999", "1.2.3", "1234", "proxy.internal", ""}) {
      assertFalse(ClientAddress.isLiteral(name), name);
    }
    assertEquals("cafe.bad", ClientAddress.trusting("10.0.0.5")
        .of(Optional.of(InetAddress.getByName("10.0.0.5")), Optional.of("cafe.bad")), "a name is kept as written");
  }

  @Test
  void forwardedForCountsOnlyFromATrustedProxy() throws Exception {
    InetAddress proxy = InetAddress.getByName("10.0.0.5");
    InetAddress stranger = InetAddress.getByName("203.0.113.9");
    ClientAddress clients = ClientAddress.trusting("10.0.0.5, 10.0.0.6");
    assertEquals("198.51.100.1", clients.of(Optional.of(proxy), Optional.of("198.51.100.1")));
    assertEquals("198.51.100.2", clients.of(Optional.of(proxy), Optional.of("1.1.1.1, 198.51.100.2, 10.0.0.6")),
        "the nearest hop that is not one of ours: what the client wrote before it is not trusted");
    assertEquals("203.0.113.9", clients.of(Optional.of(stranger), Optional.of("198.51.100.1")),
        "anyone else's X-Forwarded-For is ignored");
    assertEquals("10.0.0.5", clients.of(Optional.of(proxy), Optional.empty()));
    assertEquals("203.0.113.9", ClientAddress.trusting("").of(Optional.of(stranger), Optional.of("1.2.3.4")));
    assertEquals("0:0:0:0:0:0:0:1", ClientAddress.trusting("::1")
        .of(Optional.of(InetAddress.getByName("::1")), Optional.of("0:0::1")), "addresses compared canonically");
  }
}
