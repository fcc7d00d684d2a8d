package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static io.parley.testing.LateResults.assertLoggableDeadLetterTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Large groups ({@link LargeMembers}, {@link ReadMarks}, {@link GroupRelays}) on Pekko's
 * persistence testkit, their member rows in memory: groups are large from 5 members here.
 */
class LargeGroupTest {
  ConversationFixture conversations;
  String groupId = "g." + UUID.randomUUID();

  @BeforeEach
  void setUp() {
    conversations = new ConversationFixture(
        "parley.conversation { large-group-from = 5, max-group-members = 40, handoff-retry-interval = 100ms }");
  }

  @AfterEach
  void tearDown() {
    conversations.close();
  }

  private <T> Outcome<T> ask(ActorRef<ConversationActor.Command> group,
      Function<ActorRef<Outcome<T>>, ConversationActor.Command> command) {
    return conversations.ask(group, command);
  }

  private Outcome<Done> add(ActorRef<ConversationActor.Command> group, String by, List<String> members) {
    return ask(group, replyTo -> new ConversationActor.AddMembers(by, members, replyTo));
  }

  private Outcome<ConversationActor.SendAck> send(ActorRef<ConversationActor.Command> group, String sender, String id) {
    return ask(group, replyTo -> new ConversationActor.Send(sender, id, "text of " + id, "text", replyTo));
  }

  private ConversationInfo info(ActorRef<ConversationActor.Command> group, String asking) {
    return this.<ConversationInfo>ask(group, replyTo -> new ConversationActor.GetInfo(asking, replyTo)).value();
  }

  private ConversationActor.Summary summary(ActorRef<ConversationActor.Command> group, String userId) {
    return this.<ConversationActor.Summary>ask(group, replyTo -> new ConversationActor.GetSummary(userId, replyTo))
        .value();
  }

  private static List<String> users(String prefix, int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> prefix + i).toList();
  }

  /** alice, bob and carol's group, then grown to {@code total} members. */
  private ActorRef<ConversationActor.Command> grownTo(int total) {
    var group = conversations.spawn(groupId);
    this.<ConversationInfo>ask(group, replyTo -> new ConversationActor.Create("alice", "Crag", List.of("bob", "carol"), replyTo));
    assertTrue(send(group, "bob", "small-1").isOk());
    assertTrue(add(group, "alice", users("m", 0, total - 3)).isOk());
    return group;
  }

  @Test
  void aGroupGrowingPastTheThresholdMovesItsMembersToRowsAndCountsThem() {
    var group = grownTo(8);
    ConversationInfo info = info(group, "m4");
    assertTrue(info.large());
    assertEquals(8, info.memberCount());
    assertEquals(List.of(), info.members(), "the state lists no members any more");
    Map<String, GroupMembers.Row> rows = conversations.harness.groupMembers
        .find(groupId, users("m", 0, 5)).toCompletableFuture().join();
    assertEquals(5, rows.size());
    assertEquals(1, rows.get("m0").since(), "joined after the first message");
    assertEquals(0, conversations.harness.groupMembers.find(groupId, List.of("bob")).toCompletableFuture().join()
        .get("bob").since(), "a member from the start keeps seeing everything");
    assertTrue(conversations.stored(groupId, ConversationActor.BecameLarge.class));
    assertEquals(List.of(groupId), conversations.harness.groupMembers.largeGroupsOf("m3").toCompletableFuture().join());
    // Members from when it was small are told it is large: their user entities drop it from their inboxes.
    conversations.harness.userProbe("carol").fishForMessage(Duration.ofSeconds(5), command ->
        command instanceof UserActor.ConversationChanged changed && changed.info().large()
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
            : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
  }

  @Test
  void aLargeGroupsMessageGoesToTheRelaysOnceAndIntoNoMembersStream() {
    var group = grownTo(6);
    TestProbe<LiveEvent> relay = conversations.harness.testKit.createTestProbe();
    group.tell(new ConversationActor.RelayJoin(relay.ref()));
    assertEquals(new LiveEvent.Joined(groupId, 1), relay.receiveMessage());

    ConversationActor.SendAck large = send(group, "m1", "large-1").value();
    assertEquals(2, large.seq());
    assertFalse(large.toSenderStream(), "a large group's message is relayed, not put into its sender's stream");
    LiveEvent.Messages live = relay.expectMessageClass(LiveEvent.Messages.class);
    assertEquals(List.of(2L), live.messages().stream().map(ChatMessage::seq).toList());
    assertEquals("m1", live.messages().get(0).senderId());
    assertTrue(ask(group, (ActorRef<Outcome<Done>> replyTo) -> new ConversationActor.Delete("m1", 2, replyTo)).isOk());
    assertEquals(new LiveEvent.Deleted(groupId, 2), relay.expectMessageClass(LiveEvent.Deleted.class));
    assertEquals(ChatMessage.DELETED, summary(group, "m2").lastMessage().contentType(), "no preview of it");
    // m2 joined as the group grew: its user entity is never told of a message, nor of the group.
    conversations.harness.userProbe("m2").expectNoMessage(Duration.ofMillis(300));
  }

  /** Typing goes to the relays from members only; anyone else, found in no row, is refused. */
  @Test
  void typingReachesTheRelaysFromMembersOnlyAndAnyoneElsesIsRefused() {
    var group = grownTo(6);
    TestProbe<LiveEvent> relay = conversations.harness.testKit.createTestProbe();
    group.tell(new ConversationActor.RelayJoin(relay.ref()));
    assertEquals(new LiveEvent.Joined(groupId, 1), relay.receiveMessage());
    assertTrue(ask(group, (ActorRef<Outcome<Done>> replyTo) ->
        new ConversationActor.RemoveMembers("alice", List.of("m0"), replyTo)).isOk());

    for (String notMember : List.of("mallory", "m0")) {
      Outcome<Done> refused = this.<Done>ask(group, replyTo -> new ConversationActor.Typing(notMember, replyTo));
      assertEquals(Reason.NOT_MEMBER, refused.reason(), notMember);
    }
    assertEquals(Outcome.ok(Done.INSTANCE), this.<Done>ask(group, replyTo -> new ConversationActor.Typing("m2", replyTo)));
    // The relays hear typing in the order the group handles it: the first they hear is m2's.
    assertEquals(new LiveEvent.Typing(groupId, "m2"), relay.fishForMessage(Duration.ofSeconds(5), event ->
        event instanceof LiveEvent.Typing
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
            : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0));
  }

  /** A large announcement channel relays no typing of a plain member, who may not post: refused as their message is. */
  @Test
  void aPlainMembersTypingInALargeAnnouncementChannelReachesNoRelay() {
    var group = grownTo(6);
    TestProbe<LiveEvent> relay = conversations.harness.testKit.createTestProbe();
    group.tell(new ConversationActor.RelayJoin(relay.ref()));
    assertEquals(new LiveEvent.Joined(groupId, 1), relay.receiveMessage());
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.SetPosting("alice", true, replyTo)).isOk());

    Outcome<Done> refused = this.<Done>ask(group, replyTo -> new ConversationActor.Typing("m2", replyTo));
    assertEquals(Reason.FORBIDDEN, refused.reason());
    assertEquals(Outcome.ok(Done.INSTANCE), this.<Done>ask(group, replyTo -> new ConversationActor.Typing("alice", replyTo)));
    assertEquals(new LiveEvent.Typing(groupId, "alice"), relay.fishForMessage(Duration.ofSeconds(5), event ->
        event instanceof LiveEvent.Typing
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
            : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0),
        "the first typing the relays hear is the owner's");
  }

  @Test
  void aNonMemberIsRefusedAndAMemberIsFoundInTheRowsAfterARestart() {
    var group = grownTo(6);
    Outcome<ConversationActor.SendAck> refused = send(group, "mallory", "nope");
    assertEquals(Reason.NOT_MEMBER, refused.reason());
    conversations.stopAndAwait(group);

    var again = conversations.spawn(groupId);
    assertEquals(2, send(again, "m2", "after-restart").value().seq(), "m2's row says it is a member");
    assertEquals(Reason.NOT_MEMBER, send(again, "mallory", "nope-2").reason());
    assertEquals(6, info(again, "m2").memberCount());
    assertEquals(2, summary(again, "m2").info().lastSeq(), "nothing stored for mallory");
  }

  @Test
  void memberRowsWrittenAfterTheGroupStoppedAreADeadLetterPekkoCanLog() {
    var rows = conversations.harness.groupMembers;
    rows.writesEnd = new CompletableFuture<>();
    TestProbe<DeadLetter> deadLetters = conversations.harness.testKit.createDeadLetterProbe();
    var group = conversations.spawn(groupId);
    TestProbe<Outcome<ConversationInfo>> created = conversations.harness.testKit.createTestProbe();
    group.tell(new ConversationActor.Create("alice", "Crag", users("m", 0, 5), created.ref()));
    conversations.eventually(() -> assertTrue(rows.writes.get() > 0));
    conversations.stopAndAwait(group);
    rows.writesEnd.complete(null);
    assertLoggableDeadLetterTo(group, deadLetters);
  }

  @Test
  void aReadMarkWrittenAfterTheGroupStoppedIsADeadLetterPekkoCanLog() {
    var group = grownTo(6);
    send(group, "m0", "a"); // seq 2
    conversations.eventually(() -> assertEquals(2, summary(group, "m0").readSeq(), "m0's own mark is written"));
    var rows = conversations.harness.groupMembers;
    int before = rows.writes.get();
    rows.writesEnd = new CompletableFuture<>();
    TestProbe<DeadLetter> deadLetters = conversations.harness.testKit.createDeadLetterProbe();
    TestProbe<Outcome<Done>> marked = conversations.harness.testKit.createTestProbe();
    group.tell(new ConversationActor.MarkRead("m2", 2, marked.ref()));
    conversations.eventually(() -> assertTrue(rows.writes.get() > before));
    conversations.stopAndAwait(group);
    rows.writesEnd.complete(null);
    assertLoggableDeadLetterTo(group, deadLetters);
  }

  @Test
  void unreadIsTheLastSeqLessTheReadMarkAndOnesOwnMessagesAreRead() {
    var group = grownTo(6);
    send(group, "m0", "a");
    send(group, "m1", "b");
    send(group, "m0", "c"); // seq 4
    conversations.eventually(() -> assertEquals(4, summary(group, "m0").readSeq(), "m0 sent seq 4"));
    ConversationActor.Summary forM2 = summary(group, "m2");
    assertEquals(1, forM2.readSeq(), "m2 joined after seq 1");
    assertEquals("c", forM2.lastMessage().clientMsgId());

    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.MarkRead("m2", 3, replyTo)).isOk());
    assertEquals(3, conversations.harness.groupMembers.find(groupId, List.of("m2")).toCompletableFuture().join()
        .get("m2").read(), "answered once the row holds it");
    conversations.stopAndAwait(group);
    var again = conversations.spawn(groupId);
    assertEquals(3, summary(again, "m2").readSeq());
    assertEquals(Reason.NOT_MEMBER, this.<Done>ask(again, replyTo -> new ConversationActor.MarkRead("zed", 3, replyTo))
        .reason());
  }

  @Test
  void removedAndLeavingMembersLoseTheirRowsAndTheFormerMembersAreTold() {
    var group = grownTo(7);
    assertTrue(ask(group, (ActorRef<Outcome<Done>> replyTo) ->
        new ConversationActor.RemoveMembers("alice", List.of("m0", "m1", "nobody"), replyTo)).isOk());
    assertTrue(ask(group, (ActorRef<Outcome<Done>> replyTo) -> new ConversationActor.Leave("m2", replyTo)).isOk());
    assertEquals(4, info(group, "alice").memberCount());
    assertEquals(Map.of(), conversations.harness.groupMembers.find(groupId, List.of("m0", "m1", "m2"))
        .toCompletableFuture().join());
    assertEquals(List.of(), conversations.harness.groupMembers.largeGroupsOf("m1").toCompletableFuture().join());
    assertEquals(Reason.NOT_MEMBER, send(group, "m0", "gone").reason());
    conversations.harness.userProbe("m1").fishForMessage(Duration.ofSeconds(5), command ->
        command instanceof UserActor.ConversationChanged changed && changed.info().conversationId().equals(groupId)
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
            : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    assertEquals(Reason.FORBIDDEN, ask(group, (ActorRef<Outcome<Done>> replyTo) ->
        new ConversationActor.RemoveMembers("m3", List.of("m4"), replyTo)).reason(), "a plain member may not");
  }

  @Test
  void membersArePagedFromTheRowsAndAddingBeyondTheMaximumIsRefused() {
    var group = grownTo(12);
    var first = this.<ConversationActor.MemberPage>ask(group,
        replyTo -> new ConversationActor.GetMembers("bob", null, 5, replyTo)).value();
    assertEquals(List.of("alice", "bob", "carol", "m0", "m1"),
        first.members().stream().map(ConversationActor.MemberRole::userId).toList());
    assertEquals("owner", first.members().get(0).role());
    var rest = this.<ConversationActor.MemberPage>ask(group,
        replyTo -> new ConversationActor.GetMembers("bob", first.nextAfter(), 100, replyTo)).value();
    assertEquals(7, rest.members().size());
    assertEquals(null, rest.nextAfter());

    assertEquals(Reason.BAD_REQUEST, add(group, "alice", users("x", 0, 29)).reason(), "12 + 29 > 40");
    assertTrue(add(group, "alice", users("x", 0, 28)).isOk());
    assertEquals(40, info(group, "alice").memberCount());
    assertTrue(add(group, "alice", List.of("x1", "m1")).isOk(), "adding members again changes nothing");
    assertEquals(40, info(group, "alice").memberCount());
    assertFalse(conversations.harness.groupMembers.find(groupId, List.of("x28")).toCompletableFuture().join()
        .containsKey("x28"));
  }

  private Outcome<ConversationActor.SendAck> sendMentioning(ActorRef<ConversationActor.Command> group, String sender,
      String id, List<String> mentions) {
    return ask(group, replyTo -> new ConversationActor.Send(sender, id, "text of " + id, "text", null, null, mentions,
        replyTo));
  }

  @Test
  void mentionsReachOnlyMembersNamedAndAllOfThemWhenAnAdminMentionsAll() {
    var group = grownTo(6);
    long seq = sendMentioning(group, "m0", "hey", List.of("m1", "mallory", "m0")).value().seq();
    var m1 = conversations.harness.userProbe("m1");
    assertEquals(new UserActor.Mentioned(groupId, seq, "m0"), m1.expectMessageClass(UserActor.Mentioned.class));
    conversations.harness.userProbe("mallory").expectNoMessage(Duration.ofMillis(200));

    assertTrue(sendMentioning(group, "m0", "all-by-member", List.of(ConversationActor.MENTION_ALL)).isOk());
    long all = sendMentioning(group, "alice", "all-by-owner", List.of(ConversationActor.MENTION_ALL)).value().seq();
    for (String member : List.of("m1", "m2", "m0")) {
      assertEquals(new UserActor.Mentioned(groupId, all, "alice"),
          conversations.harness.userProbe(member).expectMessageClass(UserActor.Mentioned.class),
          member + " is woken by the owner's @all, and by nothing before it");
    }
  }

  @Test
  void theSenderIsToldCountsOfDeliveriesAndReadsNotAReceiptPerMember() {
    var group = grownTo(6);
    long seq = send(group, "m0", "counted").value().seq();
    group.tell(new ConversationActor.Relayed(List.of(new ConversationActor.CountAdded(seq, 3, 0))));
    group.tell(new ConversationActor.Read("m1", seq));
    group.tell(new ConversationActor.Read("m0", seq)); // the sender's own: not counted
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.MarkRead("m2", seq, replyTo)).isOk());
    var sender = conversations.harness.userProbe("m0");
    UserActor.Command told = sender.fishForMessage(Duration.ofSeconds(5), command ->
        command instanceof UserActor.Notify n && n.event() instanceof io.parley.user.DeviceEvent.ReceiptCounts c
            && c.read() == 2
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
            : command instanceof UserActor.DeliverReceipt
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.fail("a receipt per member: " + command)
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0);
    assertEquals(new io.parley.user.DeviceEvent.ReceiptCounts(groupId, seq, 3, 2), ((UserActor.Notify) told).event());
    assertTrue(conversations.stored(groupId, ConversationActor.ReceiptsCounted.class));
  }

  @Test
  void changesWaitTheirTurnAndOneThatNoLongerMayDoesNotHoldUpTheRest() {
    var group = grownTo(6);
    TestProbe<Outcome<Done>> first = conversations.harness.testKit.createTestProbe();
    TestProbe<Outcome<Done>> again = conversations.harness.testKit.createTestProbe();
    TestProbe<Outcome<Done>> added = conversations.harness.testKit.createTestProbe();
    group.tell(new ConversationActor.Leave("m1", first.ref()));
    group.tell(new ConversationActor.Leave("m1", again.ref())); // waits, then m1 is no member
    group.tell(new ConversationActor.AddMembers("alice", List.of("y1", "y2"), added.ref()));
    assertTrue(first.receiveMessage().isOk());
    assertEquals(Reason.NOT_MEMBER, again.receiveMessage().reason());
    assertTrue(added.receiveMessage().isOk(), "the addition behind it went ahead");
    assertEquals(7, info(group, "alice").memberCount());
  }

  /**
   * A large group's members are told of a rename through the relays (its connected ones), and each
   * member's inbox entry, read from the group, shows it; a plain member may not rename it.
   */
  @Test
  void aLargeGroupsRenameIsToldThroughTheRelaysAndShownInItsInboxEntries() {
    List<ConversationInfo> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    conversations.harness.liveGroups = (info, joined, left) -> told.add(info);
    var group = grownTo(6);
    assertTrue(info(group, "alice").large());
    assertEquals(Reason.FORBIDDEN, this.<Done>ask(group,
        replyTo -> new ConversationActor.Rename("m1", "Mine", replyTo)).reason());
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.Rename("alice", "Bouldering", replyTo)).isOk());
    conversations.eventually(() -> assertEquals("Bouldering", told.get(told.size() - 1).title()));
    assertEquals("Bouldering", summary(group, "m2").info().title());
  }

  private Outcome<Done> setRole(ActorRef<ConversationActor.Command> group, String userId, boolean admin) {
    return ask(group, replyTo -> new ConversationActor.SetRole("alice", userId, admin, replyTo));
  }

  private String roleOf(ActorRef<ConversationActor.Command> group, String userId) {
    return this.<ConversationActor.MemberPage>ask(group,
            replyTo -> new ConversationActor.GetMembers("alice", null, 100, replyTo)).value()
        .members().stream().filter(m -> m.userId().equals(userId)).findFirst().orElseThrow().role();
  }

  @Test
  void anAdminNamedInAGroupAlreadyLargeIsAnAdminAndTheMembersAreToldSo() {
    List<ConversationInfo> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    conversations.harness.liveGroups = (info, joined, left) -> told.add(info);
    var group = conversations.spawn(groupId);
    this.<ConversationInfo>ask(group, replyTo -> new ConversationActor.Create("alice", "Crag", List.of("bob", "carol"), replyTo));
    assertTrue(setRole(group, "bob", true).isOk(), "named while the group is small");
    assertTrue(add(group, "alice", users("m", 0, 3)).isOk());
    assertTrue(info(group, "alice").large());
    assertTrue(setRole(group, "m1", true).isOk());
    assertEquals(List.of("bob", "m1"), info(group, "alice").roles().admins());
    assertEquals("admin", roleOf(group, "m1"));
    conversations.eventually(() -> assertEquals(List.of("bob", "m1"), told.get(told.size() - 1).roles().admins(),
        "the members' conversation.updated names the new admin"));
    assertTrue(ask(group, (ActorRef<Outcome<Done>> replyTo) ->
        new ConversationActor.RemoveMembers("m1", List.of("m2"), replyTo)).isOk(), "an admin may remove members");
    assertEquals(5, info(group, "alice").memberCount());

    conversations.stopAndAwait(group);
    var again = conversations.spawn(groupId);
    assertEquals("admin", roleOf(again, "m1"), "the role is stored");
    assertTrue(setRole(again, "m1", false).isOk());
    assertEquals("member", roleOf(again, "m1"));
    assertEquals(List.of("bob"), info(again, "alice").roles().admins());
  }

  @Test
  void aLargeGroupRecoveredFromASnapshotIsLargeAndLooksItsMembersUpAgain() {
    conversations.close();
    conversations = new ConversationFixture("parley.conversation { large-group-from = 5, max-group-members = 40, "
        + "handoff-retry-interval = 100ms, snapshot-every = 2 }");
    var group = grownTo(6);
    assertTrue(setRole(group, "m1", true).isOk());
    for (int i = 0; i < 4; i++) {
      assertTrue(send(group, "m0", "after-" + i).isOk());
    }
    var snapshots = org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit.create(
        conversations.harness.testKit.system());
    conversations.eventually(() -> assertTrue(snapshots.persistedInStorage(
            ConversationActor.persistenceId(groupId).id()).stream()
        .anyMatch(taken -> taken.second() instanceof ConversationState.Active active && active.large),
        "a snapshot holds the large state"));
    conversations.stopAndAwait(group);

    var again = conversations.spawn(groupId);
    assertEquals("admin", roleOf(again, "m1"));
    assertEquals(Reason.NOT_MEMBER, send(again, "mallory", "nope").reason(), "looked up in the rows, not a member");
    assertTrue(ask(again, (ActorRef<Outcome<Done>> replyTo) ->
        new ConversationActor.RemoveMembers("m1", List.of("m2"), replyTo)).isOk(), "m1 is an admin and m2 a member");
    assertEquals(5, info(again, "alice").memberCount());
  }

  @Test
  void aReadOrSummaryOfAConversationThatHoldsNothingIsAnsweredNotLeftToTimeOut() {
    var nothing = conversations.spawn("g.nothing-" + UUID.randomUUID());
    assertEquals(Reason.NOT_MEMBER,
        this.<Done>ask(nothing, replyTo -> new ConversationActor.MarkRead("alice", 1, replyTo)).reason());
    assertEquals(Reason.NOT_FOUND, this.<ConversationActor.Summary>ask(nothing,
        replyTo -> new ConversationActor.GetSummary("alice", replyTo)).reason());
  }

  @Test
  void anErasedMembersRowIsGoneBeforeTheErasureIsAnswered() {
    var group = grownTo(6);
    assertTrue(send(group, "m1", "mine").isOk());
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.EraseMember("m1", replyTo)).isOk());
    assertEquals(Map.of(), conversations.harness.groupMembers.find(groupId, List.of("m1")).toCompletableFuture().join(),
        "what the erasure deletes after this would otherwise be written back");
    assertEquals(5, info(group, "alice").memberCount());
    assertEquals(ChatMessage.DELETED, summary(group, "m2").lastMessage().contentType(), "m1's message is a tombstone");
  }
}
