package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * What a large group holds of a member for their export ({@code GET /v1/me/export}'s receipts
 * line): the read mark in their row. A large group records no deliveries per member, so the
 * delivered mark it gives is the read one.
 */
class LargeGroupReceiptsGivenTest extends ConversationFixture {
  final String groupId = "g." + UUID.randomUUID();

  LargeGroupReceiptsGivenTest() {
    super("parley.conversation { large-group-from = 5, handoff-retry-interval = 100ms }");
  }

  private Outcome<ConversationActor.ReceiptsGiven> receiptsGiven(ActorRef<ConversationActor.Command> group,
      String userId) {
    return ask(group, replyTo -> new ConversationActor.GetReceiptsGiven(userId, replyTo));
  }

  @Test
  void aLargeGroupGivesAMembersReadMarkFromTheirRow() {
    var group = spawn(groupId);
    ConversationInfo info = this.<ConversationInfo>ask(group, replyTo ->
        new ConversationActor.Create("alice", "Crag", List.of("bob", "carol", "dave", "erin"), replyTo)).value();
    assertTrue(info.large());
    send(group, "alice", "one");
    send(group, "alice", "two");
    send(group, "alice", "three");
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.MarkRead("bob", 2, replyTo)).isOk());

    Outcome<ConversationActor.ReceiptsGiven> bobs = receiptsGiven(group, "bob");
    assertTrue(bobs.isOk(), bobs.toString());
    assertEquals(new ConversationActor.ReceiptsGiven(2, 2), bobs.value());
    assertEquals(new ConversationActor.ReceiptsGiven(3, 3), receiptsGiven(group, "alice").value(),
        "her own messages move her mark");
    assertEquals(Outcome.Reason.NOT_MEMBER, receiptsGiven(group, "mallory").reason());
  }
}
