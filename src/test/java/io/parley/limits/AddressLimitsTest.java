package io.parley.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
