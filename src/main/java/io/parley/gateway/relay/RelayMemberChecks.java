package io.parley.gateway.relay;

import io.parley.conversation.ConversationActor;
import io.parley.conversation.LiveEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Which users {@link GroupRelay} relays each large group to, so that their membership is checked
 * with the group itself: soon after a user is first relayed a group (those of a second are asked
 * about together), and again every {@code parley.large-groups.relay-check-every}. The "left"
 * notice a group publishes is at most once (cluster pubsub), and a node may subscribe a
 * connection from large groups it looked up a while ago (see {@link KnownLargeGroups}); the check
 * bounds either: a user who is not a member is relayed a group at most until the next check
 * answers.
 *
 * <p>Every subscription and check takes the next number of a counter. An answer that a user is not
 * a member drops them only if they were subscribed before the check was asked: one who joined
 * again meanwhile stays.
 */
final class RelayMemberChecks {
  /** Users named in one check: the group may have to look them up in its rows. */
  static final int USERS_PER_CHECK = 500;

  /** Per group, its users relayed here, with the number their subscription took. */
  private final Map<String, Map<String, Long>> usersOf = new HashMap<>();
  /** Per group, users subscribed since the last check. */
  private final Map<String, Set<String>> unchecked = new LinkedHashMap<>();
  private long counter;

  /** {@code userId} is relayed {@code group} now; true if they were not yet (then check them). */
  boolean subscribed(String group, String userId) {
    Map<String, Long> users = usersOf.computeIfAbsent(group, g -> new LinkedHashMap<>());
    if (users.containsKey(userId)) {
      return false;
    }
    users.put(userId, ++counter);
    unchecked.computeIfAbsent(group, g -> new LinkedHashSet<>()).add(userId);
    return true;
  }

  /** The users subscribed since this was last asked (or {@link #all()} was checked), by group. */
  Map<String, List<String>> takeUnchecked() {
    Map<String, List<String>> taken = new LinkedHashMap<>();
    unchecked.forEach((group, users) -> {
      Map<String, Long> still = usersOf.getOrDefault(group, Map.of());
      List<String> subscribed = users.stream().filter(still::containsKey).toList();
      if (!subscribed.isEmpty()) {
        taken.put(group, subscribed);
      }
    });
    unchecked.clear();
    return taken;
  }

  /** {@code userId}'s last connection here stopped hearing {@code group}. */
  void unsubscribed(String group, String userId) {
    Map<String, Long> users = usersOf.get(group);
    if (users != null && users.remove(userId) != null && users.isEmpty()) {
      usersOf.remove(group);
    }
  }

  /** Whether {@code userId} is relayed {@code group} here. */
  boolean relays(String group, String userId) {
    return usersOf.getOrDefault(group, Map.of()).containsKey(userId);
  }

  /** The checks of these users of {@code group}, at most {@link #USERS_PER_CHECK} users each. */
  List<ConversationActor.CheckRelayMembers> checks(String group, List<String> userIds, ActorRef<LiveEvent> relay) {
    long asked = ++counter;
    List<ConversationActor.CheckRelayMembers> checks = new ArrayList<>();
    for (int from = 0; from < userIds.size(); from += USERS_PER_CHECK) {
      List<String> part = List.copyOf(userIds.subList(from, Math.min(userIds.size(), from + USERS_PER_CHECK)));
      checks.add(new ConversationActor.CheckRelayMembers(relay, part, asked));
    }
    return checks;
  }

  /** Every group relayed here, with its users: what the periodic check asks about. */
  Map<String, List<String>> all() {
    Map<String, List<String>> all = new LinkedHashMap<>();
    usersOf.forEach((group, users) -> all.put(group, List.copyOf(users.keySet())));
    return all;
  }

  /** The users of the answer to drop: those subscribed before the check was asked. */
  List<String> toDrop(LiveEvent.NotMembers answer) {
    Map<String, Long> users = usersOf.getOrDefault(answer.conversationId(), Map.of());
    return answer.userIds().stream()
        .filter(userId -> users.containsKey(userId) && users.get(userId) < answer.asked())
        .toList();
  }
}
