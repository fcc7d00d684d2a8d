package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  @Test
  void allowsTheBurstThenTheSustainedRatePerUser() {
    EntityHarness.ManualClock clock = new EntityHarness.ManualClock();
    RateLimiter limiter = new RateLimiter(60, 5, clock);
    for (int i = 0; i < 5; i++) {
      assertTrue(limiter.tryAcquire("alice").isEmpty());
    }
    OptionalLong retryAfter = limiter.tryAcquire("alice");
    assertTrue(retryAfter.isPresent());
    assertEquals(1000, retryAfter.getAsLong(), "one message a second sustained");
    assertTrue(limiter.tryAcquire("bob").isEmpty(), "buckets are per user");
    clock.advance(Duration.ofSeconds(1));
    assertTrue(limiter.tryAcquire("alice").isEmpty());
    assertTrue(limiter.tryAcquire("alice").isPresent());
    clock.advance(Duration.ofMinutes(10));
    for (int i = 0; i < 5; i++) {
      assertTrue(limiter.tryAcquire("alice").isEmpty(), "refills up to the burst only");
    }
    assertTrue(limiter.tryAcquire("alice").isPresent());
  }
}
