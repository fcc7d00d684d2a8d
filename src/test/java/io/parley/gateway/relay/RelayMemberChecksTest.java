package io.parley.gateway.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.conversation.ConversationActor;
import io.parley.conversation.LiveEvent;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RelayMemberChecksTest {
  private final RelayMemberChecks checks = new RelayMemberChecks();

  private ConversationActor.CheckRelayMembers check(String group, List<String> users) {
    return checks.checks(group, users, null).get(0);
  }

  @Test
  void aUserIsCheckedWhenFirstRelayedAGroupAndDroppedWhenTheGroupSaysNotAMember() {
    assertTrue(checks.subscribed("g", "bob"));
    assertFalse(checks.subscribed("g", "bob"), "a second connection of bob needs no check of its own");
    ConversationActor.CheckRelayMembers asked = check("g", List.of("bob"));
    assertEquals(List.of("bob"), checks.toDrop(new LiveEvent.NotMembers("g", List.of("bob"), asked.asked())));
  }

  @Test
  void usersNewlySubscribedAreCheckedTogetherOnce() {
    checks.subscribed("g", "bob");
    checks.subscribed("g", "carol");
    checks.subscribed("h", "bob");
    checks.subscribed("h", "dave");
    checks.unsubscribed("h", "dave");
    assertEquals(java.util.Map.of("g", List.of("bob", "carol"), "h", List.of("bob")), checks.takeUnchecked());
    assertEquals(java.util.Map.of(), checks.takeUnchecked(), "asked about once");
  }

  @Test
  void aUserWhoJoinedAgainAfterTheCheckWasAskedIsNotDropped() {
    checks.subscribed("g", "bob");
    ConversationActor.CheckRelayMembers asked = check("g", List.of("bob"));
    // bob leaves and joins again before the answer: the answer is older than his subscription.
    checks.unsubscribed("g", "bob");
    checks.subscribed("g", "bob");
    assertEquals(List.of(), checks.toDrop(new LiveEvent.NotMembers("g", List.of("bob"), asked.asked())));
  }

  @Test
  void thePeriodicCheckNamesEveryUserRelayedInBoundedParts() {
    List<String> users = IntStream.range(0, RelayMemberChecks.USERS_PER_CHECK + 1).mapToObj(i -> "u" + i).toList();
    users.forEach(user -> checks.subscribed("g", user));
    checks.subscribed("h", "u0");
    checks.unsubscribed("h", "u0");
    assertEquals(List.of("g"), List.copyOf(checks.all().keySet()), "a group no one hears here is not checked");
    List<ConversationActor.CheckRelayMembers> parts = checks.checks("g", checks.all().get("g"), null);
    assertEquals(2, parts.size());
    assertEquals(users, parts.stream().flatMap(part -> part.userIds().stream()).toList());
  }
}
