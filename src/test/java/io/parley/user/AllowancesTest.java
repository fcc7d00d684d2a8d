package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.EntityHarness;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A user's buckets, one per kind: leases of one kind never spend another's. */
class AllowancesTest {
  final EntityHarness.ManualClock clock = new EntityHarness.ManualClock();
  final Allowances allowances = new Allowances(clock);

  private UserActor.AllowanceLease lease(AllowanceKind kind, int wanted, int perMinute, int burst) {
    return allowances.lease(new UserActor.LeaseAllowance(kind, wanted, perMinute, burst, null));
  }

  @Test
  void eachKindHasItsOwnBucket() {
    // Typing: 3 at most, refilled at one every 2 s; messages: 5 at most, one a second.
    assertEquals(new UserActor.AllowanceLease(2, 0), lease(AllowanceKind.TYPING, 2, 30, 3));
    assertEquals(new UserActor.AllowanceLease(1, 0), lease(AllowanceKind.TYPING, 2, 30, 3), "what is left");
    assertEquals(new UserActor.AllowanceLease(0, 2000), lease(AllowanceKind.TYPING, 2, 30, 3), "empty");
    // The other kinds are untouched by typing.
    assertEquals(new UserActor.AllowanceLease(5, 0), lease(AllowanceKind.MESSAGES, 5, 60, 5));
    assertEquals(new UserActor.AllowanceLease(0, 1000), lease(AllowanceKind.MESSAGES, 1, 60, 5));
    assertEquals(new UserActor.AllowanceLease(4, 0), lease(AllowanceKind.GROUP_CHANGES, 4, 20, 10));
    assertEquals(new UserActor.AllowanceLease(10, 0), lease(AllowanceKind.PRESENCE, 10, 60, 20));
    // Each refills at its own rate.
    clock.advance(Duration.ofMillis(1500));
    assertEquals(new UserActor.AllowanceLease(0, 500), lease(AllowanceKind.TYPING, 2, 30, 3));
    assertEquals(new UserActor.AllowanceLease(1, 0), lease(AllowanceKind.MESSAGES, 2, 60, 5));
    clock.advance(Duration.ofMillis(500));
    assertEquals(new UserActor.AllowanceLease(1, 0), lease(AllowanceKind.TYPING, 2, 30, 3));
  }

  @Test
  void theBucketsAreFullOnlyOnceEveryKindHasRefilled() {
    assertTrue(allowances.full(), "nothing leased");
    lease(AllowanceKind.MESSAGES, 1, 60, 5);
    lease(AllowanceKind.GROUP_CHANGES, 1, 6, 10);
    clock.advance(Duration.ofSeconds(1));
    assertFalse(allowances.full(), "messages are full again, a group change is 10 s away");
    clock.advance(Duration.ofSeconds(9));
    assertTrue(allowances.full());
  }
}
