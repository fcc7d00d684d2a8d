package io.parley.gateway.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.LiveEvent;
import io.parley.gateway.Entities;
import io.parley.testing.EntityHarness;
import io.parley.user.DeviceEvent;
import io.parley.user.InboxCursor;
import io.parley.user.InboxItem;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node's relay of large groups ({@link GroupRelay}) with a real large group, connections as
 * probes. The group publishes no membership notices here ({@code LiveGroups.NONE}): every "left"
 * notice is lost, so what stops a former member hearing the group is the relay's own check.
 */
class LargeGroupRelayTest {
  static final String GROUP = "g.relayed";
  static final Duration CHECK_EVERY = Duration.ofMillis(300);

  EntityHarness harness;
  Entities entities;
  RecipientRef<ConversationActor.Command> group;
  GroupRelay.Started relay;

  @BeforeEach
  void start() {
    harness = new EntityHarness("parley.conversation { large-group-from = 5, max-group-members = 40 }\n"
        + "parley.large-groups { relay-check-every = " + CHECK_EVERY.toMillis() + "ms, max-live-per-user = 3 }");
    entities = harness.withRealConversation(GROUP);
    group = entities.conversation(GROUP);
    relay = GroupRelay.start(harness.testKit.system(), entities, harness.groupMembers);
    ConversationInfo created = this.<ConversationInfo>ask(replyTo ->
        new ConversationActor.Create("alice", "Crag", List.of("bob", "carol", "m0", "m1"), replyTo)).value();
    assertTrue(created.large(), "large from 5 members");
  }

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  private <T> Outcome<T> ask(Function<ActorRef<Outcome<T>>, ConversationActor.Command> command) {
    TestProbe<Outcome<T>> reply = harness.testKit.createTestProbe();
    group.tell(command.apply(reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5));
  }

  private long send(String sender, String id) {
    return this.<ConversationActor.SendAck>ask(replyTo ->
        new ConversationActor.Send(sender, id, "text of " + id, "text", replyTo)).value().seq();
  }

  private TestProbe<Object> online(String userId, List<String> groups) {
    TestProbe<Object> connection = harness.testKit.createTestProbe();
    relay.relay().tell(new GroupRelay.Online(userId, connection.ref(), groups));
    return connection;
  }

  /** {@code userId} connects, and its relay is registered with the group: what is sent from now on is relayed. */
  private TestProbe<Object> hearing(String userId) {
    TestProbe<Object> connection = online(userId, List.of(GROUP));
    connection.fishForMessage(Duration.ofSeconds(5), event -> event instanceof LiveEvent.Joined
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    return connection;
  }

  /** Waits for the live copy of message {@code seq}, skipping anything else. */
  private static void hears(TestProbe<Object> connection, long seq) {
    connection.fishForMessage(Duration.ofSeconds(5), event ->
        event instanceof LiveEvent.Messages messages && messages.messages().get(0).seq() == seq
            ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore());
  }

  private static void isDropped(TestProbe<Object> connection) {
    connection.fishForMessage(Duration.ofSeconds(5), event ->
        event instanceof LiveEvent.Messages
            ? FishingOutcomes.fail("a message before the relay dropped it: " + event)
            : event.equals(new GroupRelay.Dropped(GROUP)) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
  }

  /** Once dropped, a connection hears nothing more of the group. */
  private static void hearsNoMessage(TestProbe<Object> connection) {
    connection.expectNoMessage(Duration.ofMillis(3 * CHECK_EVERY.toMillis()));
  }

  @Test
  void aFormerMemberWhoseLeftNoticeIsLostStopsHearingTheGroup() {
    TestProbe<Object> bob = hearing("bob");
    TestProbe<Object> carol = hearing("carol");
    long before = send("alice", "before");
    hears(bob, before);
    hears(carol, before);

    assertTrue(this.<Done>ask(replyTo -> new ConversationActor.RemoveMembers("alice", List.of("bob"), replyTo)).isOk());
    isDropped(bob); // within a check, though no notice came

    long after = send("alice", "after");
    hears(carol, after);
    hearsNoMessage(bob);
  }

  @Test
  void aConnectionSubscribedFromAStaleListIsDroppedAtItsFirstCheck() {
    TestProbe<Object> mallory = online("mallory", List.of(GROUP)); // never a member, but on a stale list
    isDropped(mallory);
    send("alice", "hello");
    hearsNoMessage(mallory);
  }

  @Test
  void aConnectionHearsAtMostTheCapOfLargeGroups() {
    List<String> groups = IntStream.range(0, 5).mapToObj(i -> "g.probed-" + i).toList();
    online("dave", groups);
    for (String heard : groups.subList(0, 3)) {
      List<ConversationActor.Command> told = harness.conversationProbe(heard).receiveSeveralMessages(2);
      assertTrue(told.stream().anyMatch(ConversationActor.RelayJoin.class::isInstance), "registered: " + told);
    }
    for (String notHeard : groups.subList(3, 5)) {
      harness.conversationProbe(notHeard).expectNoMessage(Duration.ofMillis(2 * CHECK_EVERY.toMillis()));
    }
  }

  @Test
  void theInboxOfAUserInManyLargeGroupsReadsAtMostTheCap() {
    List<String> groups = IntStream.range(0, 5).mapToObj(i -> "g.inbox-" + i).toList();
    for (String g : groups) {
      harness.groupMembers.add(g, List.of(new io.parley.conversation.GroupMembers.Row("erin", 0, 0)))
          .toCompletableFuture().join();
    }
    LargeGroupInbox inbox = new LargeGroupInbox(harness, relay.known(), Duration.ofSeconds(2), harness.testKit.system());
    var merged = inbox.merge("erin", List.of(), 50, InboxCursor.NEWEST).toCompletableFuture();
    for (String g : groups.subList(0, 3)) {
      ConversationActor.GetSummary asked = harness.conversationProbe(g).expectMessageClass(ConversationActor.GetSummary.class);
      asked.replyTo().tell(Outcome.ok(new ConversationActor.Summary(
          new ConversationInfo(g, "title " + g, List.of(), 0), null, 0, null)));
    }
    for (String g : groups.subList(3, 5)) {
      harness.conversationProbe(g).expectNoMessage(Duration.ofMillis(300));
    }
    Set<String> shown = merged.join().stream().map(InboxItem::conversationId).collect(Collectors.toSet());
    assertEquals(Set.copyOf(groups.subList(0, 3)), shown);
  }

  @Test
  void aPageThatEndsAmongLargeGroupsOfOneTimeGoesOnWithTheOthersOfThatTime() {
    List<String> groups = List.of("g.tie-a", "g.tie-b", "g.tie-c");
    for (String g : groups) {
      harness.groupMembers.add(g, List.of(new io.parley.conversation.GroupMembers.Row("frank", 0, 0)))
          .toCompletableFuture().join();
    }
    LargeGroupInbox inbox = new LargeGroupInbox(harness, relay.known(), Duration.ofSeconds(2), harness.testKit.system());
    // No message yet: each is at last_message_ts 0, the first page of one ended with g.tie-a.
    var merged = inbox.merge("frank", List.of(), 50, new InboxCursor(0L, "g.tie-a")).toCompletableFuture();
    for (String g : groups) {
      ConversationActor.GetSummary asked = harness.conversationProbe(g).expectMessageClass(ConversationActor.GetSummary.class);
      asked.replyTo().tell(Outcome.ok(new ConversationActor.Summary(new ConversationInfo(g, "title " + g, List.of(), 0), null, 0, null)));
    }
    assertEquals(List.of("g.tie-b", "g.tie-c"), merged.join().stream().map(InboxItem::conversationId).toList());
  }

  /**
   * A member added after a message reads nothing from before they joined, and their inbox does
   * not show it either: the entry has no preview and no sender until a message they may read,
   * as a small group's entry for a member who just joined.
   */
  @Test
  void aMemberAddedAfterAMessageIsNotShownItInTheInbox() {
    send("alice", "before-erin");
    assertTrue(this.<Done>ask(replyTo -> new ConversationActor.AddMembers("alice", List.of("erin"), replyTo)).isOk());
    LargeGroupInbox inbox = new LargeGroupInbox(entities, relay.known(), Duration.ofSeconds(2), harness.testKit.system());

    InboxItem forErin = inbox.merge("erin", List.of(), 50, InboxCursor.NEWEST).toCompletableFuture().join().get(0);
    assertEquals(null, forErin.lastMessagePreview(), "erin may not read it: " + forErin);
    assertEquals(null, forErin.lastSenderId(), "erin may not read it: " + forErin);
    assertEquals(0, forErin.unreadCount());
    InboxItem forBob = inbox.merge("bob", List.of(), 50, InboxCursor.NEWEST).toCompletableFuture().join().get(0);
    assertEquals("text of before-erin", forBob.lastMessagePreview(), "bob was a member then");

    send("bob", "after-erin");
    forErin = inbox.merge("erin", List.of(), 50, InboxCursor.NEWEST).toCompletableFuture().join().get(0);
    assertEquals("text of after-erin", forErin.lastMessagePreview());
    assertEquals("bob", forErin.lastSenderId());
    assertEquals(1, forErin.unreadCount());
  }

  /**
   * A read in a large group moves the member's mark in its rows, and the member's devices are told
   * the entry's new unread count (inbox.update), as for a small group's read.
   */
  @Test
  void aReadInALargeGroupTellsTheMembersDevicesTheEntry() {
    send("alice", "one");
    send("alice", "two");
    LargeGroupInbox inbox = new LargeGroupInbox(entities, relay.known(), Duration.ofSeconds(2), harness.testKit.system());
    assertEquals(2, inbox.merge("bob", List.of(), 50, InboxCursor.NEWEST).toCompletableFuture().join().get(0).unreadCount());

    inbox.markRead("bob", GROUP, 1).toCompletableFuture().join();
    UserActor.Notify told = (UserActor.Notify) harness.userProbe("bob").fishForMessage(Duration.ofSeconds(5),
        command -> command instanceof UserActor.Notify notify && notify.event() instanceof DeviceEvent.InboxUpdate
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
    InboxItem item = ((DeviceEvent.InboxUpdate) told.event()).item();
    assertEquals(GROUP, item.conversationId());
    assertEquals(1, item.unreadCount(), item.toString());
    assertEquals("text of two", item.lastMessagePreview());
  }

  /**
   * A member added after a message is not told of its deletion: the msg.deleted named by seq a
   * message they could never read. The node learns where each member joined from the group's
   * answer to its check; a stranger checked after dave shows when that answer came.
   */
  @Test
  void aDeletionIsRelayedOnlyToMembersWhoJoinedBeforeTheMessage() {
    long early = send("alice", "early");
    assertTrue(this.<Done>ask(replyTo -> new ConversationActor.AddMembers("alice", List.of("dave"), replyTo)).isOk());
    TestProbe<Object> bob = hearing("bob");
    TestProbe<Object> dave = hearing("dave");
    isDropped(online("mallory", List.of(GROUP))); // checked with dave or after him
    long late = send("alice", "late");
    hears(dave, late);

    assertTrue(this.<Done>ask(replyTo -> new ConversationActor.Delete("alice", early, replyTo)).isOk());
    assertEquals(new DeviceEvent.MsgDeleted(GROUP, early), deletionHeard(bob), "bob was a member then");
    assertTrue(this.<Done>ask(replyTo -> new ConversationActor.Delete("alice", late, replyTo)).isOk());
    assertEquals(new DeviceEvent.MsgDeleted(GROUP, late), deletionHeard(dave), "dave hears only the one after he joined");
  }

  /**
   * A member added while connected hears the group from the join its node is told of, before any
   * check: the join says where they joined, so a deletion of an earlier message is not theirs even
   * then. The group here is a probe that never answers the checks.
   */
  @Test
  void aMemberJoiningWhileConnectedIsNotToldOfEarlierDeletionsBeforeAnyCheck() {
    String probed = "g.joined-live";
    TestProbe<ConversationActor.Command> conversation = harness.conversationProbe(probed);
    TestProbe<Object> bob = online("bob", List.of(probed));
    conversation.expectMessageClass(ConversationActor.RelayJoin.class).relay().tell(new LiveEvent.Joined(probed, 3));
    TestProbe<Object> erin = online("erin", List.of());
    relay.liveGroups().membershipChanged(new ConversationInfo(probed, "Crag", List.of(), 3, null, 40), List.of("erin"),
        List.of());
    erin.fishForMessage(Duration.ofSeconds(5), event -> event.equals(new LiveEvent.Joined(probed, 3))
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

    relay.relay().tell(new LiveEvent.Deleted(probed, 3));
    assertEquals(new DeviceEvent.MsgDeleted(probed, 3), deletionHeard(bob), "bob's join point is not known: told");
    relay.relay().tell(new LiveEvent.Deleted(probed, 4));
    assertEquals(new DeviceEvent.MsgDeleted(probed, 4), deletionHeard(erin), "erin joined after seq 3");
  }

  private static Object deletionHeard(TestProbe<Object> connection) {
    return connection.fishForMessage(Duration.ofSeconds(5), event -> event instanceof DeviceEvent.MsgDeleted
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
  }

  /** A read that does not move the mark tells the devices nothing: they got the same entry again. */
  @Test
  void aReadThatDoesNotMoveTheMarkTellsTheDevicesNothing() {
    send("alice", "one");
    send("alice", "two");
    LargeGroupInbox inbox = new LargeGroupInbox(entities, relay.known(), Duration.ofSeconds(2), harness.testKit.system());
    inbox.markRead("bob", GROUP, 1).toCompletableFuture().join();
    assertEquals(1, toldUnread("bob"));

    inbox.markRead("bob", GROUP, 1).toCompletableFuture().join(); // the mark is there already
    inbox.markRead("bob", GROUP, 2).toCompletableFuture().join();
    assertEquals(0, toldUnread("bob"), "the next entry told is the one the read of 2 changed");
  }

  /** The unread count of the next inbox.update {@code userId}'s devices are told. */
  private int toldUnread(String userId) {
    UserActor.Notify told = (UserActor.Notify) harness.userProbe(userId).fishForMessage(Duration.ofSeconds(5),
        command -> command instanceof UserActor.Notify notify && notify.event() instanceof DeviceEvent.InboxUpdate
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
    return ((DeviceEvent.InboxUpdate) told.event()).item().unreadCount();
  }

  /** A message deleted for everyone is not there to read: it does not count as unread. It did. */
  @Test
  void aDeletedMessageIsNotUnreadInALargeGroup() {
    send("alice", "one");
    long two = send("alice", "two");
    send("carol", "three");
    assertTrue(this.<Done>ask(replyTo -> new ConversationActor.Delete("alice", two, replyTo)).isOk());
    LargeGroupInbox inbox = new LargeGroupInbox(entities, relay.known(), Duration.ofSeconds(2), harness.testKit.system());
    InboxItem item = inbox.merge("bob", List.of(), 50, InboxCursor.NEWEST).toCompletableFuture().join().get(0);
    assertEquals(2, item.unreadCount(), item.toString());
  }
}
