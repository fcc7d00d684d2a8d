package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * A large group whose owner or admin goes (leaves, is removed, is erased) changes roles: its
 * connected members are told so, as for any role change, through the relays of every node
 * ({@link LiveGroups#membershipChanged} naming no one joined or left), not only those who went.
 */
class LargeGroupHandOverTest extends ConversationFixture {
  final String groupId = "g." + UUID.randomUUID();
  /** What the group told every node's relay: the infos of changes naming no one joined or left. */
  final List<ConversationInfo> toldAll = new CopyOnWriteArrayList<>();

  LargeGroupHandOverTest() {
    super("parley.conversation { large-group-from = 5, handoff-retry-interval = 100ms }");
    harness.liveGroups = (info, joined, left) -> {
      if (joined.isEmpty() && left.isEmpty()) {
        toldAll.add(info);
      }
    };
  }

  /** alice's group of six, large from five, with bob as its admin. */
  private ActorRef<ConversationActor.Command> largeWithAdminBob() {
    var group = spawn(groupId);
    this.<ConversationInfo>ask(group, replyTo ->
        new ConversationActor.Create("alice", "Crag", List.of("bob", "carol", "dave", "erin", "fay"), replyTo));
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.SetRole("alice", "bob", true, replyTo)).isOk());
    eventually(() -> assertEquals(new GroupRoles("alice", List.of("bob"), false), last().roles()));
    return group;
  }

  private ConversationInfo last() {
    return toldAll.get(toldAll.size() - 1);
  }

  @Test
  void anOwnerWhoLeavesHandsTheGroupOnAndTheConnectedMembersAreTold() {
    var group = largeWithAdminBob();
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.Leave("alice", replyTo)).isOk());
    eventually(() -> assertEquals(new GroupRoles("bob", List.of(), false), last().roles(),
        "the members' conversation.updated names bob the owner"));
    assertEquals(5, last().memberCount());
  }

  @Test
  void anAdminRemovedIsNoLongerNamedAnAdminToTheConnectedMembers() {
    var group = largeWithAdminBob();
    assertTrue(this.<Done>ask(group, replyTo ->
        new ConversationActor.RemoveMembers("alice", List.of("bob"), replyTo)).isOk());
    eventually(() -> assertEquals(new GroupRoles("alice", List.of(), false), last().roles()));
  }

  @Test
  void anErasedOwnerHandsTheGroupOnAndTheConnectedMembersAreTold() {
    var group = largeWithAdminBob();
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.EraseMember("alice", replyTo)).isOk());
    eventually(() -> assertEquals(new GroupRoles("bob", List.of(), false), last().roles()));
  }

  @Test
  void aPlainMemberWhoLeavesTellsNoOneElse() {
    var group = largeWithAdminBob();
    int before = toldAll.size();
    assertTrue(this.<Done>ask(group, replyTo -> new ConversationActor.Leave("carol", replyTo)).isOk());
    awaitProcessed(group);
    assertEquals(before, toldAll.size(), "a leave that changes no role is told only to the one who left");
  }
}
