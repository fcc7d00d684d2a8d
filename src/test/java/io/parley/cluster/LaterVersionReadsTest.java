package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.api.ErrorCode;
import io.parley.testing.EntityHarness;
import io.parley.testing.LaterVersion;
import io.parley.user.GroupConsent;
import io.parley.user.GroupAddPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a node of this version reads when a later one sent or stored it (docs/operations.md, Upgrades). */
class LaterVersionReadsTest {
  private final EntityHarness harness = new EntityHarness("");

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  /**
   * A refusal for a reason a later version added is read here as one this node cannot name, and
   * told to the client as {@code unavailable} with the later node's message; before, the reply was
   * lost and the request waited out the ask timeout.
   */
  @Test
  void aRefusalForAReasonAddedLaterIsUnavailable() {
    Outcome<Done> refused = Outcome.rejected(Outcome.Reason.FORBIDDEN, "only admins may pin messages");
    Outcome<Done> read = LaterVersion.read(harness.testKit.system(), refused, "\"FORBIDDEN\"", "\"PINS_FULL\"");
    assertEquals(Outcome.Reason.UNKNOWN, read.reason());
    assertEquals("only admins may pin messages", read.message());
    assertEquals(ErrorCode.UNAVAILABLE, ErrorCode.of(read.reason()));
  }

  /** A field added to an event later is ignored here: the event replays as it was. */
  @Test
  void anEventWithAFieldAddedLaterReads() {
    GroupConsent.GroupAddsChosen chosen = new GroupConsent.GroupAddsChosen(GroupAddPolicy.CONTACTS);
    assertEquals(chosen, LaterVersion.read(harness.testKit.system(), chosen, "\"CONTACTS\"",
        "\"CONTACTS\",\"chosenAt\":1764400000000,\"reason\":{\"by\":\"settings\"}"));
  }
}
