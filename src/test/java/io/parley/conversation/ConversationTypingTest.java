package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.JsonSerializable;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.user.DeviceEvent;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * Typing ({@link TypingRelay}): a member's is told to the other members and answered with no
 * refusal; anyone else's is refused {@code not_member} and told to no one.
 */
class ConversationTypingTest extends ConversationFixture {
  private Outcome<Done> typing(ActorRef<ConversationActor.Command> conversation, String userId) {
    return ask(conversation, replyTo -> new ConversationActor.Typing(userId, replyTo));
  }

  /** The next typing notice {@code member}'s user entity is told, skipping everything else it is told. */
  private DeviceEvent.Typing nextTyping(String member) {
    var told = (UserActor.Notify) harness.userProbe(member).fishForMessage(Duration.ofSeconds(5),
        message -> message instanceof UserActor.Notify notify && notify.event() instanceof DeviceEvent.Typing
            ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore()).get(0);
    return (DeviceEvent.Typing) told.event();
  }

  @Test
  void aMembersTypingIsRelayedAndAnyoneElsesIsRefusedAndToldToNoOne() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    assertTrue(this.<ConversationInfo>ask(conversation,
        replyTo -> new ConversationActor.Create("alice", "Crag", List.of("bob", "carol", "dave"), replyTo)).isOk());

    assertEquals(Outcome.ok(Done.INSTANCE), typing(conversation, "alice"));
    for (String other : List.of("bob", "carol", "dave")) {
      assertEquals(new DeviceEvent.Typing(group, "alice"), nextTyping(other));
    }

    Outcome<Done> stranger = typing(conversation, "mallory");
    assertEquals(Reason.NOT_MEMBER, stranger.reason());
    assertEquals("mallory is not a member of " + group, stranger.message());
    // A member who left, and one who was removed, are strangers now.
    assertTrue(this.<Done>ask(conversation, replyTo -> new ConversationActor.Leave("carol", replyTo)).isOk());
    assertEquals(Reason.NOT_MEMBER, typing(conversation, "carol").reason());
    assertTrue(this.<Done>ask(conversation,
        replyTo -> new ConversationActor.RemoveMembers("alice", List.of("dave"), replyTo)).isOk());
    assertEquals(Reason.NOT_MEMBER, typing(conversation, "dave").reason());

    // Notices go out in the order the conversation handles typing: bob's next is bob's own
    // member's, so none of the refused ones reached him; alice is not told of her own.
    assertTrue(typing(conversation, "bob").isOk());
    assertTrue(typing(conversation, "alice").isOk());
    assertEquals(new DeviceEvent.Typing(group, "bob"), nextTyping("alice"));
    assertEquals(new DeviceEvent.Typing(group, "alice"), nextTyping("bob"));
  }

  /**
   * In an announcement channel a plain member may not post, so has nothing to type: refused as
   * their message is ({@code forbidden}) and told to no one. Before, every member was shown them
   * typing a message they could not send.
   */
  @Test
  void aPlainMembersTypingInAnAnnouncementChannelIsRefusedAndToldToNoOne() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    assertTrue(this.<ConversationInfo>ask(conversation,
        replyTo -> new ConversationActor.Create("alice", "News", List.of("bob", "carol"), replyTo)).isOk());
    assertTrue(this.<Done>ask(conversation, replyTo -> new ConversationActor.SetRole("alice", "carol", true, replyTo)).isOk());
    assertTrue(this.<Done>ask(conversation, replyTo -> new ConversationActor.SetPosting("alice", true, replyTo)).isOk());

    Outcome<Done> refused = typing(conversation, "bob");
    assertEquals(Reason.FORBIDDEN, refused.reason());
    assertEquals("only the owner and admins of " + group + " may post in it", refused.message());
    assertTrue(typing(conversation, "carol").isOk(), "an admin posts, so types");
    assertEquals(new DeviceEvent.Typing(group, "carol"), nextTyping("alice"), "the first alice hears is carol's");
    assertTrue(this.<Done>ask(conversation, replyTo -> new ConversationActor.SetPosting("alice", false, replyTo)).isOk());
    assertTrue(typing(conversation, "bob").isOk(), "everyone posts again");
    assertEquals(new DeviceEvent.Typing(group, "bob"), nextTyping("alice"));
  }

  @Test
  void aThirdUserTypingInADirectConversationIsRefused() {
    String direct = ConversationIds.direct("alice", "bob");
    var conversation = spawn(direct);
    assertTrue(send(conversation, "alice", "hi").isOk());

    assertEquals(Reason.NOT_MEMBER, typing(conversation, "carol").reason());
    assertTrue(typing(conversation, "alice").isOk());
    assertEquals(new DeviceEvent.Typing(direct, "alice"), nextTyping("bob"));
  }

  /**
   * A conversation that holds nothing answers as the gateway does for one it knows never stored
   * anything ({@link NeverStored#typing}), and tells no one.
   */
  @Test
  void typingInAConversationThatHoldsNothingIsAnsweredAsTheGatewayAnswersIt() {
    String direct = ConversationIds.direct("alice", "bob");
    var empty = spawn(direct);
    assertEquals(Outcome.ok(Done.INSTANCE), typing(empty, "alice"), "a direct conversation of alice's, before its first message");
    assertEquals(Reason.NOT_MEMBER, typing(empty, "carol").reason());
    String group = "g." + UUID.randomUUID();
    assertEquals(Reason.NOT_FOUND, typing(spawn(group), "alice").reason());
    for (String user : List.of("alice", "carol")) {
      assertEquals(NeverStored.typing(direct, user), typing(empty, user));
    }
    assertEquals(NeverStored.typing(group, "alice"), typing(spawn(group), "alice"));

    // Nothing was told: bob's first typing notice is the one after the first message.
    assertTrue(send(empty, "alice", "hi").isOk());
    assertTrue(typing(empty, "alice").isOk());
    assertEquals(new DeviceEvent.Typing(direct, "alice"), nextTyping("bob"));
  }

  /** The typing of a node of an earlier version: with no replyTo, relayed for a member and dropped for anyone else. */
  @Test
  void typingFromANodeOfAnEarlierVersionIsRelayedOrDroppedAndAnswersNobody() {
    String group = "g." + UUID.randomUUID();
    var conversation = spawn(group);
    assertTrue(this.<ConversationInfo>ask(conversation,
        replyTo -> new ConversationActor.Create("alice", "Crag", List.of("bob"), replyTo)).isOk());
    var earlier = (ConversationActor.Typing) harness.readStored(
        ConversationActor.Typing.class.getName(), "{\"userId\":\"mallory\"}");
    assertNull(earlier.replyTo());
    conversation.tell(earlier);
    conversation.tell(new ConversationActor.Typing("alice", null));
    assertEquals(new DeviceEvent.Typing(group, "alice"), nextTyping("bob"), "mallory's was not relayed");
    assertTrue(typing(conversation, "alice").isOk(), "the conversation still answers");

    // A node of an earlier version reads the new command as its own, the replyTo left out.
    TestProbe<Outcome<Done>> replyTo = harness.testKit.createTestProbe();
    String json = harness.storedJson(new ConversationActor.Typing("alice", replyTo.ref()));
    assertEquals(new EarlierTyping("alice"), harness.readStored(EarlierTyping.class.getName(), json));
  }

  /** What a node of an earlier version knew as {@code ConversationActor.Typing}. */
  record EarlierTyping(String userId) implements JsonSerializable {}
}
