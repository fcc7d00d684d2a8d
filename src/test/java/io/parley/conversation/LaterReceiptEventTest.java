package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.testing.EntityHarness;
import io.parley.testing.LaterVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A receipt event of a status a later version added, replayed by a node of this version (a rolling update). */
class LaterReceiptEventTest {
  private final EntityHarness harness = new EntityHarness("");

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  @Test
  void aReceiptEventOfAStatusAddedLaterReplaysAndMovesNoWatermark() {
    ConversationActor.ReceiptRecorded played = LaterVersion.read(harness.testKit.system(),
        new ConversationActor.ReceiptRecorded("bob", ReceiptStatus.READ, 9), "\"READ\"", "\"PLAYED\"");
    Member bob = new Member(0, 9, 7, 5);
    assertEquals(bob, bob.withReceipt(played.status(), played.seq()), "delivered through 7, read through 5");
  }
}
