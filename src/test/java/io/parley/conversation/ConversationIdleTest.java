package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/** What keeps a conversation awake ({@link Upkeep}): its members' commands, and nobody else's. */
class ConversationIdleTest extends ConversationFixture {
  /** A group of alice's and bob's whose members hold its membership: nothing is owed, so it may sleep once idle. */
  private ActorRef<ConversationActor.Command> settledGroup() {
    var conversation = spawn("g." + UUID.randomUUID());
    TestProbe<Outcome<ConversationInfo>> created = harness.testKit.createTestProbe();
    conversation.tell(new ConversationActor.Create("alice", "Crag", List.of("bob"), created.ref()));
    long fingerprint = created.receiveMessage().value().fingerprint();
    for (String member : List.of("alice", "bob")) {
      next(member, UserActor.ConversationChanged.class);
      conversation.tell(new ConversationActor.MembershipHeld(member, fingerprint));
    }
    awaitProcessed(conversation);
    return conversation;
  }

  /**
   * A stranger's requests are refused, and do not count as activity: one client repeating them
   * cannot hold the conversation in memory.
   */
  @Test
  void aStrangersRefusedRequestsDoNotKeepTheConversationAwake() {
    var conversation = settledGroup();
    Duration idle = settings.passivateAfterIdle();
    harness.clock.advance(idle.dividedBy(2));

    assertEquals(Reason.NOT_MEMBER, this.<Done>ask(conversation,
        replyTo -> new ConversationActor.Typing("mallory", replyTo)).reason());
    assertEquals(Reason.NOT_MEMBER, this.<ConversationActor.Location>ask(conversation,
        replyTo -> new ConversationActor.LocateMessages("mallory", Long.MAX_VALUE, 50, replyTo)).reason());
    assertEquals(Reason.NOT_MEMBER, this.<ConversationInfo>ask(conversation,
        replyTo -> new ConversationActor.GetInfo("mallory", replyTo)).reason());
    assertEquals(Reason.NOT_MEMBER, this.<Done>ask(conversation,
        replyTo -> new ConversationActor.MarkRead("mallory", 1, replyTo)).reason());
    assertEquals(Reason.NOT_MEMBER, this.<Done>ask(conversation,
        replyTo -> new ConversationActor.Delete("mallory", 1, replyTo)).reason());
    assertEquals(Reason.NOT_MEMBER, send(conversation, "mallory", "m1").reason());

    harness.clock.advance(idle.dividedBy(2));
    shard.expectMessageClass(ClusterSharding.Passivate.class, Duration.ofSeconds(5));
  }
}
