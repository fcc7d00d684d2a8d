package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.MessageIds;
import io.parley.testing.EntityHarness;
import io.parley.testing.LaterVersion;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bob's consent to groups ({@link GroupConsent}) in his entity, on Pekko's persistence testkit. */
class GroupConsentTest {
  EntityHarness harness;
  UserSettings settings;
  TestProbe<ClusterSharding.ShardCommand> shard;

  @BeforeEach
  void setUp() {
    harness = new EntityHarness(ConfigFactory.parseString("parley.user.snapshot-every = 3")
        .withFallback(ManualTime.config()).root().render());
    settings = UserSettings.from(harness.config);
    shard = harness.testKit.createTestProbe();
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  private ActorRef<UserActor.Command> spawn() {
    return harness.testKit.spawn(UserActor.create("bob", shard.ref(), harness, settings, push -> {},
        userId -> CompletableFuture.completedFuture(null), harness.clock));
  }

  /** Stops the entity and starts it again from what it stored. */
  private ActorRef<UserActor.Command> restart(ActorRef<UserActor.Command> user) {
    user.tell(UserActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(user, Duration.ofSeconds(5));
    return spawn();
  }

  private <T> T ask(ActorRef<UserActor.Command> user, Function<ActorRef<T>, UserActor.Command> command) {
    TestProbe<T> probe = harness.testKit.createTestProbe();
    user.tell(command.apply(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  private boolean mayAdd(ActorRef<UserActor.Command> bob, String requesterId, GroupAddPolicy byDefault) {
    return this.<GroupConsent.AddAnswer>ask(bob, replyTo -> new GroupConsent.MayAdd(requesterId, byDefault, replyTo))
        .direct();
  }

  private GroupAddPolicy choose(ActorRef<UserActor.Command> bob, GroupAddPolicy policy) {
    return this.<Outcome<GroupConsent.GroupAddsChoice>>ask(bob,
        replyTo -> new GroupConsent.ChooseGroupAdds(policy, GroupAddPolicy.CONTACTS, replyTo)).value().policy();
  }

  private GroupConsent.QuotaAnswer spend(ActorRef<UserActor.Command> bob, int groups, int members) {
    return this.<Outcome<GroupConsent.QuotaAnswer>>ask(bob,
        replyTo -> new GroupConsent.SpendGroupQuota(groups, members, 2, 5, 0, replyTo)).value();
  }

  private List<GroupConsent.Invite> invites(ActorRef<UserActor.Command> bob) {
    return this.<GroupConsent.Invites>ask(bob, GroupConsent.GetInvites::new).invites();
  }

  private void shareAGroupWith(ActorRef<UserActor.Command> bob, String other) {
    bob.tell(new UserActor.ConversationChanged(
        new ConversationInfo("g.shared", "shared", List.of(other, "bob"), 0), harness.clock.millis()));
    // Stored with the next write: the sync is answered once that write is.
    assertEquals(Outcome.ok(Done.INSTANCE), this.<Outcome<Done>>ask(bob, replyTo -> new UserActor.Sync(null, 0, replyTo)));
    harness.conversationProbe("g.shared").expectMessageClass(ConversationActor.MembershipHeld.class);
  }

  /** {@code sender}'s message in {@code info}'s conversation, stored in bob's stream as the conversation hands it off. */
  private void deliver(ActorRef<UserActor.Command> bob, ConversationInfo info, long seq, String sender) {
    String id = info.conversationId();
    long ts = harness.clock.millis();
    bob.tell(new UserActor.Deliver(info, seq - 1,
        List.of(new ChatMessage(id, seq, MessageIds.of(id, seq, ts), sender, "c" + seq, "text " + seq, "text", ts))));
    harness.conversationProbe(id).expectMessageClass(ConversationActor.HandedOff.class);
  }

  /**
   * Contacts are those the user has talked to, as for presence: the members of a conversation
   * where bob has sent a message. Sharing a group bob was put in, without posting there, made
   * alice a contact before.
   */
  @Test
  void byDefaultOnlyThoseWhoShareAConversationAddDirectlyAndStrangersInvite() {
    var bob = spawn();
    assertFalse(mayAdd(bob, "mallory", GroupAddPolicy.CONTACTS), "a stranger invites");
    assertFalse(mayAdd(bob, "alice", GroupAddPolicy.CONTACTS), "alice too, until they share a conversation");
    shareAGroupWith(bob, "alice");
    assertFalse(mayAdd(bob, "alice", GroupAddPolicy.CONTACTS), "a group bob never posted in makes no contact");
    deliver(bob, new ConversationInfo("g.shared", "shared", List.of("alice", "bob"), 0), 1, "bob");
    assertTrue(mayAdd(bob, "alice", GroupAddPolicy.CONTACTS), "a contact adds");
    assertFalse(mayAdd(bob, "mallory", GroupAddPolicy.CONTACTS));
    assertTrue(mayAdd(bob, "mallory", GroupAddPolicy.EVERYONE), "a node whose default is everyone");
    assertEquals(GroupAddPolicy.CONTACTS, choose(bob, null), "nothing chosen: the node's default");
  }

  /**
   * The policy exists to stop strangers adding the user: one message to the user made the sender a
   * contact, who could then add them to any group. Only the user's answer does now, as for presence.
   */
  @Test
  void aStrangerWhoWroteToTheUserInvitesUntilTheUserAnswers() {
    var bob = spawn();
    var direct = new ConversationInfo("d:bob:mallory", null, List.of("bob", "mallory"), 0);
    deliver(bob, direct, 1, "mallory");
    assertFalse(mayAdd(bob, "mallory", GroupAddPolicy.CONTACTS), "mallory only wrote to bob");
    deliver(bob, direct, 2, "bob");
    assertTrue(mayAdd(bob, "mallory", GroupAddPolicy.CONTACTS), "bob answered");
    assertTrue(mayAdd(restart(bob), "mallory", GroupAddPolicy.CONTACTS), "as stored");
  }

  @Test
  void theMembersOfAGroupWhereTheUserPostedAddDirectly() {
    var bob = spawn();
    deliver(bob, new ConversationInfo("g.climbing", "Climbing", List.of("alice", "bob", "carol"), 0), 1, "bob");
    deliver(bob, new ConversationInfo("g.climbing", "Climbing", List.of("alice", "bob", "carol"), 0), 2, "carol");
    assertTrue(mayAdd(bob, "alice", GroupAddPolicy.CONTACTS));
    assertTrue(mayAdd(bob, "carol", GroupAddPolicy.CONTACTS), "carol wrote last, but bob wrote before");
    assertFalse(mayAdd(bob, "mallory", GroupAddPolicy.CONTACTS));
  }

  /**
   * Conversations whose member lists the inbox does not keep (beyond its budget) are asked only
   * where the user has sent, as presence asks them: all of them were asked before, so a member of
   * a large group the user never posted in added them directly.
   */
  @Test
  void aConversationWhoseMembersAreNotKeptIsAskedOnlyOnceTheUserPostedThere() {
    settings = new UserSettings(settings.pendingMaxItems(), settings.pendingIdBytes(), settings.deviceInactiveAfter(),
        settings.maxDevices(), settings.inboxMaxEntries(), 40, settings.passivateAfterIdle(), settings.snapshotEvery(),
        settings.lazyAckDelay(), settings.ackSyncWait(), settings.pushGatherDelay(), settings.pushCoalesceWindow());
    var bob = spawn();
    // Its member list, 51 bytes of ids with their quotes and commas, does not fit the 40 kept.
    var large = new ConversationInfo("g.large", "large", List.of("bob", "carol-with-a-long-id", "dave-with-a-long-id"), 0);
    deliver(bob, large, 1, "carol-with-a-long-id");
    TestProbe<GroupConsent.AddAnswer> answer = harness.testKit.createTestProbe();
    bob.tell(new GroupConsent.MayAdd("carol-with-a-long-id", GroupAddPolicy.CONTACTS, answer.ref()));
    harness.conversationProbe("g.large").expectNoMessage(Duration.ofMillis(200)); // not asked: bob never posted there
    assertFalse(answer.receiveMessage(Duration.ofSeconds(5)).direct(), "carol only wrote to bob");

    deliver(bob, large, 2, "bob");
    bob.tell(new GroupConsent.MayAdd("carol-with-a-long-id", GroupAddPolicy.CONTACTS, answer.ref()));
    var asked = harness.conversationProbe("g.large").expectMessageClass(ConversationActor.GetInfo.class);
    assertEquals("carol-with-a-long-id", asked.userId());
    asked.replyTo().tell(Outcome.ok(large));
    assertTrue(answer.receiveMessage(Duration.ofSeconds(5)).direct(), "a member of a conversation bob posted in");
  }

  @Test
  void whatTheUserChoosesHoldsOverTheDefaultAndAcrossRestarts() {
    var bob = spawn();
    shareAGroupWith(bob, "alice");
    assertEquals(GroupAddPolicy.NOBODY, choose(bob, GroupAddPolicy.NOBODY));
    assertFalse(mayAdd(bob, "alice", GroupAddPolicy.EVERYONE), "nobody: a contact invites too");
    bob = restart(bob);
    assertEquals(GroupAddPolicy.NOBODY, choose(bob, null));
    assertFalse(mayAdd(bob, "alice", GroupAddPolicy.EVERYONE));
    assertEquals(GroupAddPolicy.EVERYONE, choose(bob, GroupAddPolicy.EVERYONE));
    assertTrue(mayAdd(bob, "mallory", GroupAddPolicy.CONTACTS), "everyone: a stranger adds");
    assertTrue(mayAdd(bob, "bob", GroupAddPolicy.CONTACTS), "himself, whatever the policy");
  }

  /**
   * A rolling update: a later version's policy (here FRIENDS) reaches this version as a default,
   * a choice or a stored event. Held as nobody (no one is added without consent), a choice of it
   * refused at once, and the user's events replay.
   */
  @Test
  void aPolicyOfALaterVersionIsHeldAsNobodyAndNotChosenHere() {
    var system = harness.testKit.system();
    GroupAddPolicy later = LaterVersion.read(system,
        new GroupConsent.GroupAddsChoice(GroupAddPolicy.EVERYONE), "\"EVERYONE\"", "\"FRIENDS\"").policy();
    var bob = spawn();
    assertFalse(mayAdd(bob, "mallory", later), "a later node's default: a stranger invites");
    Outcome<GroupConsent.GroupAddsChoice> refused = this.<Outcome<GroupConsent.GroupAddsChoice>>ask(bob,
        replyTo -> new GroupConsent.ChooseGroupAdds(later, GroupAddPolicy.EVERYONE, replyTo));
    assertEquals(Outcome.Reason.UNAVAILABLE, refused.reason(), refused.toString());
    assertEquals(GroupAddPolicy.CONTACTS, choose(bob, null), "nothing stored: the default");
    bob.tell(UserActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(bob, Duration.ofSeconds(5));

    PersistenceTestKit.create(system).persistForRecovery(UserActor.persistenceId("alice").id(),
        List.of(harness.readStored(GroupConsent.GroupAddsChosen.class.getName(), "{\"policy\":\"FRIENDS\"}")));
    var alice = harness.testKit.spawn(UserActor.create("alice", shard.ref(), harness, settings, push -> {},
        userId -> CompletableFuture.completedFuture(null), harness.clock));
    assertFalse(mayAdd(alice, "mallory", GroupAddPolicy.EVERYONE), "replayed: held as nobody");
    assertEquals("nobody", choose(alice, null).wire());
  }

  @Test
  void anInviteIsShownToEveryDeviceKeptUntilAnsweredAndShownAgainOnConnect() {
    var bob = spawn();
    TestProbe<DeviceEvent> phone = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Connect("phone", phone.ref(), harness.testKit.<UserActor.Connected>createTestProbe().ref()));
    var invite = new GroupConsent.Invite("g.climbing", "Climbing", "mallory", harness.clock.millis());
    assertEquals(Outcome.ok(Done.INSTANCE),
        this.<Outcome<Done>>ask(bob, replyTo -> new GroupConsent.ReceiveInvite(invite, replyTo)));
    assertEquals(new DeviceEvent.Invited(invite), phone.expectMessageClass(DeviceEvent.Invited.class));
    assertEquals(List.of(invite), invites(bob));

    bob = restart(bob);
    assertEquals(List.of(invite), invites(bob), "kept across a restart");
    TestProbe<DeviceEvent> laptop = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Connect("laptop", laptop.ref(),
        harness.testKit.<UserActor.Connected>createTestProbe().ref()));
    assertEquals(new DeviceEvent.Invited(invite), laptop.expectMessageClass(DeviceEvent.Invited.class),
        "a device that connects is shown the invites waiting");

    Outcome<GroupConsent.Invite> peeked =
        ask(bob, replyTo -> new GroupConsent.FindInvite("g.climbing", false, replyTo));
    assertEquals(invite, peeked.value());
    assertEquals(List.of(invite), invites(bob), "found, not answered yet");
    Outcome<GroupConsent.Invite> answered =
        ask(bob, replyTo -> new GroupConsent.FindInvite("g.climbing", true, replyTo));
    assertEquals(invite, answered.value());
    assertEquals(List.of(), invites(bob));
    Outcome<GroupConsent.Invite> again = ask(bob, replyTo -> new GroupConsent.FindInvite("g.climbing", true, replyTo));
    assertEquals(Outcome.Reason.NOT_FOUND, again.reason());
    assertEquals(List.of(), invites(restart(bob)), "the answer is stored");
  }

  /**
   * Asked about a group that was there before, the entity says whether the user holds an invite to
   * it, whatever the answer on adding, so that only those who do are asked to drop it.
   */
  @Test
  void mayAddSaysWhetherTheUserHoldsAnInviteToTheGroup() {
    var bob = spawn();
    var invite = new GroupConsent.Invite("g.climbing", "Climbing", "mallory", harness.clock.millis());
    assertEquals(Outcome.ok(Done.INSTANCE),
        this.<Outcome<Done>>ask(bob, replyTo -> new GroupConsent.ReceiveInvite(invite, replyTo)));
    assertEquals(GroupAddPolicy.EVERYONE, choose(bob, GroupAddPolicy.EVERYONE));
    assertEquals(new GroupConsent.AddAnswer(true, true), this.<GroupConsent.AddAnswer>ask(bob,
        replyTo -> new GroupConsent.MayAdd("mallory", GroupAddPolicy.CONTACTS, replyTo, "g.climbing")));
    assertEquals(new GroupConsent.AddAnswer(true, false), this.<GroupConsent.AddAnswer>ask(bob,
        replyTo -> new GroupConsent.MayAdd("mallory", GroupAddPolicy.CONTACTS, replyTo, "g.other")));
    assertEquals(new GroupConsent.AddAnswer(true, false), this.<GroupConsent.AddAnswer>ask(bob,
        replyTo -> new GroupConsent.MayAdd("mallory", GroupAddPolicy.CONTACTS, replyTo)), "a new group");
  }

  @Test
  void invitesBeyondTheBoundDropTheOldest() {
    var bob = spawn();
    for (int i = 0; i <= GroupConsent.MAX_INVITES; i++) {
      var invite = new GroupConsent.Invite("g." + i, "t" + i, "mallory", i);
      assertEquals(Outcome.ok(Done.INSTANCE),
          this.<Outcome<Done>>ask(bob, replyTo -> new GroupConsent.ReceiveInvite(invite, replyTo)));
    }
    List<GroupConsent.Invite> kept = invites(bob);
    assertEquals(GroupConsent.MAX_INVITES, kept.size());
    assertEquals("g.1", kept.get(0).conversationId(), "the oldest went");
  }

  /**
   * The invite that goes to make room was shown to the user's devices: each is told it was
   * revoked, as for an invite a removal revokes. Before, they were told nothing and kept offering
   * an invite that answered not_found. A new invite to a group already invited to drops none.
   */
  @Test
  void theInviteDroppedBeyondTheBoundIsToldToEveryDeviceAsRevoked() {
    var bob = spawn();
    TestProbe<DeviceEvent> phone = harness.testKit.createTestProbe();
    bob.tell(new UserActor.Connect("phone", phone.ref(), harness.testKit.<UserActor.Connected>createTestProbe().ref()));
    for (int i = 0; i < GroupConsent.MAX_INVITES; i++) {
      var invite = new GroupConsent.Invite("g." + i, "t" + i, "mallory", i);
      assertEquals(Outcome.ok(Done.INSTANCE),
          this.<Outcome<Done>>ask(bob, replyTo -> new GroupConsent.ReceiveInvite(invite, replyTo)));
      assertEquals(new DeviceEvent.Invited(invite), phone.expectMessageClass(DeviceEvent.Invited.class));
    }
    var again = new GroupConsent.Invite("g.3", "t3", "trent", 99);
    assertEquals(Outcome.ok(Done.INSTANCE),
        this.<Outcome<Done>>ask(bob, replyTo -> new GroupConsent.ReceiveInvite(again, replyTo)));
    assertEquals(new DeviceEvent.Invited(again), phone.expectMessageClass(DeviceEvent.Invited.class));
    phone.expectNoMessage(Duration.ofMillis(200)); // the bound is not passed: nothing goes

    var last = new GroupConsent.Invite("g.last", "last", "mallory", 100);
    assertEquals(Outcome.ok(Done.INSTANCE),
        this.<Outcome<Done>>ask(bob, replyTo -> new GroupConsent.ReceiveInvite(last, replyTo)));
    assertEquals(new DeviceEvent.InviteRevoked("g.0"), phone.expectMessageClass(DeviceEvent.InviteRevoked.class),
        "the oldest went");
    assertEquals(new DeviceEvent.Invited(last), phone.expectMessageClass(DeviceEvent.Invited.class));
    assertEquals("g.1", invites(bob).get(0).conversationId());
  }

  @Test
  void theDailyQuotaIsSpentWholeOrNotAtAllAndRenewsTheNextDay() {
    var bob = spawn();
    // At most 2 groups and 5 members a day here.
    assertTrue(spend(bob, 1, 3).granted());
    GroupConsent.QuotaAnswer tooMany = spend(bob, 1, 3);
    assertFalse(tooMany.granted(), "3 more members would make 6");
    assertTrue(tooMany.refusal().contains("at most 5 members"), tooMany.refusal());
    assertTrue(tooMany.retryAfterMs() > 0 && tooMany.retryAfterMs() <= Duration.ofDays(1).toMillis());
    assertTrue(spend(bob, 0, 2).granted(), "the refused request spent nothing: 2 members are left");
    assertFalse(spend(bob, 0, 1).granted());
    assertTrue(spend(bob, 1, 0).granted(), "a second group, with no one else");
    GroupConsent.QuotaAnswer third = spend(bob, 1, 0);
    assertFalse(third.granted());
    assertTrue(third.refusal().contains("at most 2 groups"), third.refusal());

    bob = restart(bob);
    assertFalse(spend(bob, 1, 0).granted(), "the day's count is stored");
    // What a refused change gave back can be spent again.
    long today = third.day();
    bob.tell(new GroupConsent.SpendGroupQuota(-1, -2, 2, 5, today,
        harness.testKit.<Outcome<GroupConsent.QuotaAnswer>>createTestProbe().ref()));
    assertTrue(spend(bob, 1, 2).granted());

    harness.clock.advance(Duration.ofMillis(third.retryAfterMs()));
    assertTrue(spend(bob, 2, 5).granted(), "a new day");
  }

  /**
   * What a refused change spent is given back once stored, and the gateway is told so; a gateway
   * of an earlier version tells its give-back with no one to answer (a null replyTo, with or
   * without readsOutcome), and it gives back all the same.
   */
  @Test
  void aQuotaGivenBackIsAnsweredOnceStoredAndCanBeSpentAgainWhoeverGaveItBack() {
    var bob = spawn();
    // The whole day's quota: 2 groups, 5 members here.
    long today = spend(bob, 2, 5).day();
    assertEquals(Outcome.ok(new GroupConsent.QuotaAnswer(true, today, null, 0)), giveBack(bob, -1, -2, today));
    assertTrue(spend(bob, 1, 2).granted(), "given back");

    bob.tell(new GroupConsent.SpendGroupQuota(-1, -2, 2, 5, today, null));
    assertTrue(spend(bob, 1, 2).granted(), "given back by an earlier gateway");
    bob.tell(asEarlierVersionSends(new GroupConsent.SpendGroupQuota(-1, -2, 2, 5, today, null)));
    assertTrue(spend(bob, 1, 2).granted(), "given back by a gateway of before readsOutcome");
    assertFalse(spend(bob, 0, 1).granted(), "each given back once");
  }

  @Test
  void aQuotaGivenBackForADayGoneByIsAnsweredAndGivesNothingBack() {
    var bob = spawn();
    GroupConsent.QuotaAnswer yesterday = spend(bob, 2, 5);
    harness.clock.advance(Duration.ofDays(1));
    assertTrue(spend(bob, 2, 5).granted(), "a new day's whole quota");

    assertEquals(Outcome.ok(new GroupConsent.QuotaAnswer(true, yesterday.day(), null, 0)),
        giveBack(bob, -2, -5, yesterday.day()));
    assertFalse(spend(bob, 1, 0).granted(), "nothing of today's given back");
    assertFalse(spend(bob, 0, 1).granted());
  }

  private Outcome<GroupConsent.QuotaAnswer> giveBack(ActorRef<UserActor.Command> bob, int groups, int members,
      long day) {
    return ask(bob, replyTo -> new GroupConsent.SpendGroupQuota(groups, members, 2, 5, day, replyTo));
  }

  /**
   * During a rolling update: a node of an earlier version asks without saying it reads an Outcome
   * (its JSON has no readsOutcome) and is answered the bare value it reads, as before; and it
   * reads this version's commands, leaving out what it does not know.
   */
  @Test
  void anAskerOfAnEarlierVersionIsAnsweredTheBareValueItReads() {
    var bob = spawn();
    TestProbe<Object> earlier = harness.testKit.createTestProbe();
    var invite = new GroupConsent.Invite("g.climbing", "Climbing", "mallory", harness.clock.millis());
    bob.tell(asEarlierVersionSends(new GroupConsent.ReceiveInvite(invite, earlier.ref().narrow())));
    assertEquals(Done.INSTANCE, earlier.receiveMessage(Duration.ofSeconds(5)));
    bob.tell(asEarlierVersionSends(
        new GroupConsent.ChooseGroupAdds(GroupAddPolicy.NOBODY, GroupAddPolicy.CONTACTS, earlier.ref().narrow())));
    assertEquals(new GroupConsent.GroupAddsChoice(GroupAddPolicy.NOBODY), earlier.receiveMessage(Duration.ofSeconds(5)));
    bob.tell(asEarlierVersionSends(new GroupConsent.SpendGroupQuota(1, 0, 2, 5, 0, earlier.ref().narrow())));
    assertTrue(((GroupConsent.QuotaAnswer) earlier.receiveMessage(Duration.ofSeconds(5))).granted());

    var read = (EarlierReceiveInvite) harness.readStored(EarlierReceiveInvite.class.getName(),
        harness.storedJson(new GroupConsent.ReceiveInvite(invite, earlier.ref().narrow())));
    assertEquals(invite, read.invite());
  }

  /** {@code command} as a node of an earlier version sends it: without readsOutcome. */
  private UserActor.Command asEarlierVersionSends(UserActor.Command command) {
    String json = harness.storedJson(command);
    String earlier = json.replace(",\"readsOutcome\":true", "");
    assertFalse(earlier.equals(json), json);
    return (UserActor.Command) harness.readStored(command.getClass().getName(), earlier);
  }

  /** ReceiveInvite as a node of an earlier version reads it. */
  record EarlierReceiveInvite(GroupConsent.Invite invite, ActorRef<Done> replyTo)
      implements io.parley.cluster.JsonSerializable {}
}
