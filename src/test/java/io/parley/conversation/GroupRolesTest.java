package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.testing.EntityHarness;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who runs a group ({@link GroupRoles}, {@link GroupAdmin}) on Pekko's persistence testkit. */
class GroupRolesTest {
  ConversationFixture conversations;
  EntityHarness harness;
  PersistenceTestKit journal;
  String groupId = "g." + UUID.randomUUID();

  @BeforeEach
  void setUp() {
    conversations = new ConversationFixture("parley.conversation { snapshot-every = 3, handoff-retry-interval = 100ms }");
    harness = conversations.harness;
    journal = conversations.journal;
  }

  @AfterEach
  void tearDown() {
    conversations.close();
  }

  private ActorRef<ConversationActor.Command> spawn() {
    return conversations.spawn(groupId);
  }

  /** A group alice creates with {@code members}. */
  private ActorRef<ConversationActor.Command> createdByAlice(String... members) {
    var group = spawn();
    ConversationInfo info = this.<ConversationInfo>ask(group,
            replyTo -> new ConversationActor.Create("alice", "Crag", List.of(members), replyTo))
        .value();
    assertEquals(new GroupRoles("alice", List.of(), false), info.roles(), "the creator owns it");
    return group;
  }

  private <T> Outcome<T> ask(ActorRef<ConversationActor.Command> group,
      Function<ActorRef<Outcome<T>>, ConversationActor.Command> command) {
    return conversations.ask(group, command);
  }

  private Outcome<Done> add(ActorRef<ConversationActor.Command> group, String by, String... members) {
    return ask(group, replyTo -> new ConversationActor.AddMembers(by, List.of(members), replyTo));
  }

  private Outcome<Done> remove(ActorRef<ConversationActor.Command> group, String by, String... members) {
    return ask(group, replyTo -> new ConversationActor.RemoveMembers(by, List.of(members), replyTo));
  }

  private Outcome<Done> setRole(ActorRef<ConversationActor.Command> group, String by, String userId, boolean admin) {
    return ask(group, replyTo -> new ConversationActor.SetRole(by, userId, admin, replyTo));
  }

  private Outcome<ConversationActor.SendAck> send(ActorRef<ConversationActor.Command> group, String sender, String id) {
    return ask(group, replyTo -> new ConversationActor.Send(sender, id, "text of " + id, "text", replyTo));
  }

  private ConversationInfo info(ActorRef<ConversationActor.Command> group) {
    return this.<ConversationInfo>ask(group, replyTo -> new ConversationActor.GetInfo(null, replyTo)).value();
  }

  private void restart(ActorRef<ConversationActor.Command> group) {
    conversations.stopAndAwait(group);
  }

  @Test
  void onlyTheOwnerAndAdminsChangeMembersAndOnlyTheOwnerNamesAdmins() {
    var group = createdByAlice("bob", "carol");
    assertEquals(Reason.FORBIDDEN, add(group, "bob", "dave").reason());
    assertEquals(Reason.FORBIDDEN, remove(group, "bob", "carol").reason());
    assertEquals(Reason.FORBIDDEN, setRole(group, "bob", "carol", true).reason());
    assertEquals(Reason.NOT_MEMBER, setRole(group, "alice", "erin", true).reason());

    assertTrue(setRole(group, "alice", "bob", true).isOk());
    assertTrue(add(group, "bob", "dave").isOk(), "an admin adds");
    assertTrue(remove(group, "bob", "carol").isOk(), "and removes");
    assertEquals(Reason.FORBIDDEN, remove(group, "bob", "alice").reason(), "but never the owner");
    assertEquals(Reason.FORBIDDEN, setRole(group, "bob", "dave", true).reason(), "only the owner names admins");
    assertEquals(List.of("alice", "bob", "dave"), info(group).members());
    assertEquals(Reason.NOT_MEMBER, send(group, "carol", "c1").reason(), "carol was removed");

    restart(group);
    var recovered = spawn();
    assertEquals(new GroupRoles("alice", List.of("bob"), false), info(recovered).roles());
    assertTrue(setRole(recovered, "alice", "bob", false).isOk());
    assertEquals(Reason.FORBIDDEN, add(recovered, "bob", "erin").reason(), "no longer an admin");
  }

  private Outcome<ConversationActor.MemberPage> members(
      ActorRef<ConversationActor.Command> group, String by, String after, int limit) {
    return ask(group, replyTo -> new ConversationActor.GetMembers(by, after, limit, replyTo));
  }

  @Test
  void membersArePagedByIdWithTheirRolesForMembersOnly() {
    var group = createdByAlice("erin", "carol", "bob", "dave");
    assertTrue(setRole(group, "alice", "carol", true).isOk());
    var first = members(group, "bob", null, 2).value();
    assertEquals(List.of(new ConversationActor.MemberRole("alice", "owner"), new ConversationActor.MemberRole("bob", "member")),
        first.members());
    var second = members(group, "bob", first.nextAfter(), 2).value();
    assertEquals(List.of(new ConversationActor.MemberRole("carol", "admin"), new ConversationActor.MemberRole("dave", "member")),
        second.members());
    var last = members(group, "bob", second.nextAfter(), 2).value();
    assertEquals(List.of(new ConversationActor.MemberRole("erin", "member")), last.members());
    assertNull(last.nextAfter(), "the last page says so");
    assertEquals(Reason.NOT_MEMBER, members(group, "mallory", null, 2).reason());
  }

  @Test
  void anAnnouncementChannelRefusesAMembersMessageAndStoresNothingOfIt() {
    var group = createdByAlice("bob");
    assertEquals(Reason.FORBIDDEN,
        this.<Done>ask(group, replyTo -> new ConversationActor.SetPosting("bob", true, replyTo)).reason());
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.SetPosting("alice", true, replyTo)).isOk());
    assertTrue(info(group).roles().adminsOnlyPosting());

    Outcome<ConversationActor.SendAck> refused = send(group, "bob", "b1");
    assertEquals(Reason.FORBIDDEN, refused.reason());
    assertTrue(refused.message().contains("admins"), refused.message());
    assertEquals(1, send(group, "alice", "a1").value().seq(), "the refused message took no seq");
    assertTrue(setRole(group, "alice", "bob", true).isOk());
    assertEquals(2, send(group, "bob", "b1").value().seq(), "an admin posts");
  }

  @Test
  void anOwnerWhoLeavesHandsTheGroupToTheLongestServingAdminElseMember() {
    var group = createdByAlice("bob", "carol", "dave");
    assertTrue(setRole(group, "alice", "dave", true).isOk());
    assertTrue(ask(group, (ActorRef<Outcome<Done>> replyTo) -> new ConversationActor.Leave("alice", replyTo)).isOk());
    assertEquals(new GroupRoles("dave", List.of(), false), info(group).roles(), "the admin, though bob joined first");
    assertTrue(ask(group, (ActorRef<Outcome<Done>> replyTo) -> new ConversationActor.Leave("dave", replyTo)).isOk());
    assertEquals("bob", info(group).roles().owner(), "then the longest-serving member");
  }

  /** The next membership the member's user entity is told, skipping anything else. */
  private ConversationInfo told(String member) {
    return ((UserActor.ConversationChanged) harness.userProbe(member).fishForMessage(Duration.ofSeconds(5), m ->
        m instanceof UserActor.ConversationChanged ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore())
        .get(0)).info();
  }

  @Test
  void aChangeNotYetHeldByEveryMemberIsToldAgainAfterARestartAndNotOnceItIs() {
    var group = createdByAlice("bob");
    told("alice");
    told("bob"); // of the creation
    assertTrue(remove(group, "alice", "bob").isOk());
    ConversationInfo removed = told("alice");
    assertEquals(List.of("alice"), removed.members());
    assertEquals(List.of("alice"), told("bob").members(), "bob, removed, is told too");
    restart(group); // what was told, and to whom, is not stored: as after a crash
    group = spawn();
    assertEquals(removed, told("alice"), "told again after the restart");
    assertEquals(List.of("alice"), told("bob").members());

    for (String member : List.of("alice", "bob")) {
      group.tell(new ConversationActor.MembershipHeld(member, removed.fingerprint()));
    }
    var settled = group;
    conversations.eventually(() -> assertTrue(conversations.stored(groupId, ConversationActor.MembershipSettled.class)));
    restart(settled);
    spawn();
    for (String member : List.of("alice", "bob")) {
      harness.userProbe(member).expectNoMessage(Duration.ofMillis(500)); // nobody is told again once all held it
    }
  }

  @Test
  void aGroupCreatedBeforeRolesExistedLetsEveryMemberManageItAsBefore() {
    Object stored = harness.readStored(ConversationActor.GroupCreated.class.getName(),
        "{\"title\":\"Old\",\"members\":[\"alice\",\"bob\"],\"creatorId\":\"alice\",\"ts\":1}");
    assertFalse(((ConversationActor.GroupCreated) stored).roles(), "an event stored before roles has none");
    journal.persistForRecovery(ConversationActor.persistenceId(groupId).id(), List.of(stored));
    var group = spawn();
    assertNull(info(group).roles());
    assertTrue(add(group, "bob", "carol").isOk(), "any member adds, as before roles");
    assertTrue(send(group, "carol", "c1").isOk());
  }

  /**
   * A group from before roles has no owner and no admins: naming an admin, or letting only admins
   * post, cannot apply there, and is refused as a direct conversation refuses it (bad_request,
   * saying why). Before, it was forbidden to every member with "only the owner ... may", though
   * there is no owner, while every other change is open to every member.
   */
  @Test
  void aGroupCreatedBeforeRolesRefusesAdminsAndPostingAsHavingNoRoles() {
    Object stored = harness.readStored(ConversationActor.GroupCreated.class.getName(),
        "{\"title\":\"Old\",\"members\":[\"alice\",\"bob\"],\"creatorId\":\"alice\",\"ts\":1}");
    journal.persistForRecovery(ConversationActor.persistenceId(groupId).id(), List.of(stored));
    var group = spawn();
    Outcome<Done> admin = setRole(group, "alice", "bob", true);
    assertEquals(Reason.BAD_REQUEST, admin.reason(), admin.message());
    assertEquals(groupId + " was created before roles: it has no owner or admins, so no one may name admins;"
        + " every member adds, removes and renames", admin.message());
    Outcome<Done> posting = this.<Done>ask(group, replyTo -> new ConversationActor.SetPosting("bob", true, replyTo));
    assertEquals(Reason.BAD_REQUEST, posting.reason(), posting.message());
    assertEquals(Reason.NOT_MEMBER,
        this.<Done>ask(group, replyTo -> new ConversationActor.SetPosting("mallory", true, replyTo)).reason());
    assertNull(info(group).roles(), "nothing stored");
  }

  /**
   * A direct conversation's members are its id: a removal is refused as an addition is, saying so
   * (before: "a direct conversation has no roles", as if a role were missing). Nothing is stored.
   */
  @Test
  void aRemovalFromADirectConversationSaysItsMembersAreFixed() {
    var direct = conversations.spawn("d:alice:bob");
    assertTrue(conversations.send(direct, "alice", "a1").isOk());
    Outcome<Done> removed = remove(direct, "alice", "bob");
    assertEquals(Reason.BAD_REQUEST, removed.reason());
    assertEquals("a direct conversation has fixed members: no one can be removed from it", removed.message());
    assertEquals("a direct conversation has fixed members", add(direct, "alice", "carol").message(), "as an addition");
    assertEquals("a direct conversation has no roles", setRole(direct, "alice", "bob", true).message());
    assertFalse(conversations.stored("d:alice:bob", ConversationActor.MembersRemoved.class));
  }

  private Outcome<Done> rename(ActorRef<ConversationActor.Command> group, String by, String title) {
    return ask(group, replyTo -> new ConversationActor.Rename(by, title, replyTo));
  }

  /**
   * The owner and admins rename a group: it is stored, every member is told the new title, and
   * it survives a restart. A plain member and a stranger are refused and nothing is stored.
   */
  @Test
  void theOwnerAndAdminsRenameAGroupAndEveryMemberIsToldTheNewTitle() {
    var group = createdByAlice("bob", "carol");
    for (String member : List.of("alice", "bob", "carol")) {
      told(member); // of the creation
    }
    assertEquals(Reason.FORBIDDEN, rename(group, "bob", "Mine").reason());
    assertEquals(Reason.NOT_MEMBER, rename(group, "mallory", "Mine").reason());
    assertFalse(conversations.stored(groupId, ConversationActor.Renamed.class), "nothing of the refused ones");

    assertTrue(rename(group, "alice", "Bouldering").isOk());
    for (String member : List.of("alice", "bob", "carol")) {
      assertEquals("Bouldering", told(member).title(), member);
    }
    assertTrue(setRole(group, "alice", "bob", true).isOk());
    assertTrue(rename(group, "bob", "Crags").isOk(), "an admin renames too");
    assertEquals("Crags", info(group).title());
    restart(group);
    assertEquals("Crags", info(spawn()).title(), "stored");
  }

  /**
   * A rename to the title the group has (a retried command carries the same sealed text; the
   * gateway sends none when the plain title is the same) stores nothing and tells no one, but a
   * member who may not rename is refused all the same.
   */
  @Test
  void aRenameToTheTitleItHasChangesNothingButIsRefusedToWhoeverMayNot() {
    var group = createdByAlice("bob");
    assertTrue(rename(group, "alice", "Bouldering").isOk());
    told("bob");
    told("bob");
    assertTrue(rename(group, "alice", "Bouldering").isOk());
    assertTrue(rename(group, "alice", null).isOk());
    assertEquals(Reason.FORBIDDEN, rename(group, "bob", null).reason());
    assertEquals(1, journal.persistedInStorage(ConversationActor.persistenceId(groupId).id()).stream()
        .flatMap(e -> io.parley.cluster.EventBatches.unbatched(e).stream())
        .filter(ConversationActor.Renamed.class::isInstance).count(), "one rename stored");
    harness.userProbe("bob").expectNoMessage(Duration.ofMillis(300));
  }

  /** A direct conversation has no title; a group from before roles lets any member rename it, as any other change. */
  @Test
  void aDirectConversationHasNoTitleToRenameAndAGroupWithoutRolesLetsAnyMember() {
    var direct = conversations.spawn("d:alice:bob");
    assertTrue(conversations.send(direct, "alice", "a1").isOk());
    Outcome<Done> refused = rename(direct, "alice", "Us");
    assertEquals(Reason.BAD_REQUEST, refused.reason());
    assertEquals("a direct conversation has no title to rename: each of its members sees the other's id",
        refused.message());

    Object stored = harness.readStored(ConversationActor.GroupCreated.class.getName(),
        "{\"title\":\"Old\",\"members\":[\"alice\",\"bob\"],\"creatorId\":\"alice\",\"ts\":1}");
    journal.persistForRecovery(ConversationActor.persistenceId(groupId).id(), List.of(stored));
    var old = spawn();
    assertTrue(rename(old, "bob", "New").isOk());
    assertEquals("New", info(old).title());
  }
}
