package io.parley.gateway.relay;

import io.parley.cluster.JsonSerializable;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.GroupMembers;
import io.parley.conversation.LiveEvent;
import io.parley.conversation.LiveGroups;
import io.parley.gateway.Entities;
import io.parley.user.DeviceEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * This node's relay for large groups: the per-group subscription the gateway holds while members
 * are connected here. Each large group with a member connected on this node has this relay
 * registered ({@link ConversationActor.RelayJoin}, renewed every
 * {@link #RENEW_EVERY}), and tells it each message once; the relay hands it to the connections
 * of members here. So a message costs the group one tell per node, whatever its member count.
 *
 * <p>A connection brings the large groups its user is in ({@link Online}); users who join or leave
 * a large group while connected are told through cluster pubsub ({@link MembershipChange}), since
 * the group does not know where its members are connected. The same changes keep the node's
 * {@link KnownLargeGroups} current.
 *
 * <p>Those notices are at most once, so the relay also checks with each group that the users it
 * relays it to are members ({@link RelayMemberChecks}): within {@link #FIRST_CHECK_WITHIN} of a
 * user first hearing a group here, and again every {@code parley.large-groups.relay-check-every}.
 * A connection hears at most {@code parley.large-groups.max-live-per-user} large groups (see
 * {@link KnownLargeGroups}).
 */
public final class GroupRelay {
  static final Duration RENEW_EVERY = Duration.ofSeconds(10);

  /** A connection of {@code userId}, a member of these large groups, is open. */
  public record Online(String userId, ActorRef<Object> connection, List<String> groups) {}

  /** Told to a connection that stops hearing {@code conversationId} here: its user is not a member. */
  public record Dropped(String conversationId) {}

  /**
   * Users joined or left a large group, or (neither) its title, roles or posting changed: published to every node.
   * {@code toldByUserEntities}: those joined whose devices their user entities tell (the members of a group
   * that just became large); null from nodes that predate it.
   */
  public record MembershipChange(ConversationInfo info, List<String> joined, List<String> left,
      List<String> toldByUserEntities) implements JsonSerializable {
    public MembershipChange {
      toldByUserEntities = toldByUserEntities == null ? List.of() : toldByUserEntities;
    }

    public MembershipChange(ConversationInfo info, List<String> joined, List<String> left) {
      this(info, joined, left, List.of());
    }
  }

  private enum Renew {
    INSTANCE
  }

  private enum CheckMembers {
    INSTANCE
  }

  /** Checks the users who started hearing a group here since the last check, in one go per group. */
  private enum CheckNewMembers {
    INSTANCE
  }

  /** How soon a user who starts hearing a group here is checked: their connects batched meanwhile. */
  static final Duration FIRST_CHECK_WITHIN = Duration.ofSeconds(1);

  /** The relay of this node, how to reach it, and the large groups of users it keeps current. */
  public record Started(ActorRef<Object> relay, LiveGroups liveGroups, GroupMembers rows, KnownLargeGroups known) {}

  public static Started start(ActorSystem<?> system, Entities entities, GroupMembers rows) {
    var config = system.settings().config().getConfig("parley.large-groups");
    KnownLargeGroups known = KnownLargeGroups.over(rows, config.getInt("max-live-per-user"));
    Duration checkEvery = config.getDuration("relay-check-every");
    ActorRef<Topic.Command<MembershipChange>> topic = system.systemActorOf(
        Topic.create(MembershipChange.class, "large-group-members"), "large-group-members", Props.empty());
    ActorRef<Object> relay = system.systemActorOf(
        Behaviors.<Object>setup(ctx -> Behaviors.withTimers(timers -> {
          topic.tell(Topic.subscribe(ctx.getSelf().narrow()));
          timers.startTimerWithFixedDelay(Renew.INSTANCE, RENEW_EVERY);
          timers.startTimerWithFixedDelay(CheckMembers.INSTANCE, checkEvery);
          // A message it cannot handle is skipped: the subscriptions it holds are not lost with it.
          return Behaviors.supervise(new GroupRelay(ctx, timers, entities, known).behavior())
              .onFailure(SupervisorStrategy.resume());
        })),
        "group-relay", Props.empty());
    LiveGroups live = new LiveGroups() {
      @Override
      public void membershipChanged(ConversationInfo info, List<String> joined, List<String> left) {
        topic.tell(Topic.publish(new MembershipChange(info, joined, left)));
      }

      @Override
      public void becameLarge(ConversationInfo info, List<String> members, List<String> toldByUserEntities) {
        topic.tell(Topic.publish(new MembershipChange(info, members, List.of(), toldByUserEntities)));
      }
    };
    return new Started(relay, live, rows, known);
  }

  private final ActorContext<Object> ctx;
  private final TimerScheduler<Object> timers;
  private final Entities entities;
  private final KnownLargeGroups known;
  private final Map<String, Set<ActorRef<Object>>> connectionsOfUser = new HashMap<>();
  private final Map<ActorRef<Object>, String> userOfConnection = new HashMap<>();
  private final Map<String, Set<ActorRef<Object>>> subscribers = new HashMap<>();
  /** The reverse of {@link #subscribers}: what each connection hears, up to the cap. */
  private final Map<ActorRef<Object>, Set<String>> groupsOfConnection = new HashMap<>();
  private final RelayMemberChecks checks = new RelayMemberChecks();
  private final JoinPoints joinPoints = new JoinPoints();
  /** Per group, its newest seq as last heard: where a connection subscribing now starts. */
  private final Map<String, Long> lastSeq = new HashMap<>();

  private GroupRelay(ActorContext<Object> ctx, TimerScheduler<Object> timers, Entities entities, KnownLargeGroups known) {
    this.ctx = ctx;
    this.timers = timers;
    this.entities = entities;
    this.known = known;
  }

  private Behavior<Object> behavior() {
    return Behaviors.receive(Object.class)
        .onMessage(Online.class, online -> {
          if (userOfConnection.put(online.connection(), online.userId()) == null) {
            ctx.watch(online.connection());
          }
          connectionsOfUser.computeIfAbsent(online.userId(), id -> new HashSet<>()).add(online.connection());
          online.groups().forEach(group -> subscribe(group, online.connection()));
          return Behaviors.same();
        })
        .onMessage(LiveEvent.Joined.class, joined -> {
          lastSeq.merge(joined.conversationId(), joined.lastSeq(), Math::max);
          forward(joined.conversationId(), joined);
          return Behaviors.same();
        })
        .onMessage(LiveEvent.Messages.class, messages -> {
          List<io.parley.conversation.ChatMessage> list = messages.messages();
          lastSeq.merge(messages.conversationId(), list.get(list.size() - 1).seq(), Math::max);
          forward(messages.conversationId(), messages);
          reportDelivered(messages.conversationId(), list);
          return Behaviors.same();
        })
        .onMessage(LiveEvent.Typing.class, typing -> {
          forward(typing.conversationId(), typing);
          return Behaviors.same();
        })
        .onMessage(LiveEvent.Deleted.class, deleted -> {
          String group = deleted.conversationId();
          DeviceEvent event = new DeviceEvent.MsgDeleted(group, deleted.seq());
          subscribers.getOrDefault(group, Set.of()).stream()
              .filter(connection -> joinPoints.hadMessage(group, userOfConnection.get(connection), deleted.seq()))
              .forEach(connection -> connection.tell(event));
          return Behaviors.same();
        })
        .onMessage(LiveEvent.NotMembers.class, notMembers -> {
          joinPoints.answered(notMembers, checks);
          for (String userId : checks.toDrop(notMembers)) {
            List.copyOf(connectionsOfUser.getOrDefault(userId, Set.of()))
                .forEach(connection -> drop(notMembers.conversationId(), connection));
          }
          return Behaviors.same();
        })
        .onMessage(CheckMembers.class, tick -> {
          checks.takeUnchecked(); // all are checked now
          checks.all().forEach(this::check);
          return Behaviors.same();
        })
        .onMessage(CheckNewMembers.class, tick -> {
          checks.takeUnchecked().forEach(this::check);
          return Behaviors.same();
        })
        .onMessage(MembershipChange.class, this::onMembershipChange)
        .onMessage(Renew.class, renew -> {
          subscribers.keySet().forEach(group -> entities.conversation(group).tell(new ConversationActor.RelayJoin(self())));
          return Behaviors.same();
        })
        .onSignal(Terminated.class, terminated -> {
          offline(terminated.getRef().unsafeUpcast());
          return Behaviors.same();
        })
        .build();
  }

  private ActorRef<LiveEvent> self() {
    return ctx.getSelf().narrow();
  }

  /**
   * {@code connection} hears {@code group} from now on, unless it hears as many as it may already.
   * A user not relayed the group here before is checked within {@link #FIRST_CHECK_WITHIN}.
   */
  private void subscribe(String group, ActorRef<Object> connection) {
    Set<String> heard = groupsOfConnection.computeIfAbsent(connection, c -> new HashSet<>());
    if (!heard.contains(group) && heard.size() >= known.maxPerUser()) {
      return;
    }
    heard.add(group);
    Set<ActorRef<Object>> here = subscribers.computeIfAbsent(group, id -> new HashSet<>());
    boolean first = here.isEmpty();
    here.add(connection);
    if (first) {
      entities.conversation(group).tell(new ConversationActor.RelayJoin(self()));
    } else if (lastSeq.containsKey(group)) {
      connection.tell(new LiveEvent.Joined(group, lastSeq.get(group)));
    } // else the group's answer to the first subscriber comes to all of them
    String userId = userOfConnection.get(connection);
    if (userId != null && checks.subscribed(group, userId) && !timers.isTimerActive(CheckNewMembers.INSTANCE)) {
      timers.startSingleTimer(CheckNewMembers.INSTANCE, FIRST_CHECK_WITHIN);
    }
  }

  private void check(String group, List<String> userIds) {
    checks.checks(group, userIds, self()).forEach(entities.conversation(group)::tell);
  }

  /** {@code connection} stops hearing {@code group}, and is told so. */
  private void drop(String group, ActorRef<Object> connection) {
    if (groupsOfConnection.getOrDefault(connection, Set.of()).contains(group)) {
      unsubscribe(group, connection);
      connection.tell(new Dropped(group));
    }
  }

  private void unsubscribe(String group, ActorRef<Object> connection) {
    Set<String> heard = groupsOfConnection.get(connection);
    if (heard != null && heard.remove(group) && heard.isEmpty()) {
      groupsOfConnection.remove(connection);
    }
    String userId = userOfConnection.get(connection);
    if (userId != null && !heardByAnother(userId, group, connection)) {
      checks.unsubscribed(group, userId);
      joinPoints.forget(group, userId);
    }
    Set<ActorRef<Object>> here = subscribers.get(group);
    if (here != null && here.remove(connection) && here.isEmpty()) {
      subscribers.remove(group);
      lastSeq.remove(group);
      entities.conversation(group).tell(new ConversationActor.RelayLeave(self()));
    }
  }

  /** Whether another connection of {@code userId} here hears {@code group}. */
  private boolean heardByAnother(String userId, String group, ActorRef<Object> connection) {
    return connectionsOfUser.getOrDefault(userId, Set.of()).stream()
        .anyMatch(other -> !other.equals(connection) && groupsOfConnection.getOrDefault(other, Set.of()).contains(group));
  }

  private void offline(ActorRef<Object> connection) {
    String userId = userOfConnection.get(connection);
    if (userId == null) {
      return;
    }
    List.copyOf(groupsOfConnection.getOrDefault(connection, Set.of())).forEach(group -> unsubscribe(group, connection));
    userOfConnection.remove(connection);
    Set<ActorRef<Object>> theirs = connectionsOfUser.get(userId);
    if (theirs != null && theirs.remove(connection) && theirs.isEmpty()) {
      connectionsOfUser.remove(userId);
    }
  }

  /** How many members here each message reached, for the sender's counts (see ConversationActor.Relayed). */
  private void reportDelivered(String group, List<io.parley.conversation.ChatMessage> messages) {
    Set<String> users = new HashSet<>();
    subscribers.getOrDefault(group, Set.of()).forEach(connection -> users.add(userOfConnection.get(connection)));
    List<ConversationActor.CountAdded> delivered = messages.stream()
        .map(m -> new ConversationActor.CountAdded(m.seq(), users.size() - (users.contains(m.senderId()) ? 1 : 0), 0))
        .toList();
    entities.conversation(group).tell(new ConversationActor.Relayed(delivered));
  }

  private void forward(String group, Object event) {
    subscribers.getOrDefault(group, Set.of()).forEach(connection -> connection.tell(event));
  }

  /** Connections here of users who joined start hearing the group, those of users who left stop. */
  private Behavior<Object> onMembershipChange(MembershipChange change) {
    ConversationInfo info = change.info();
    String group = info.conversationId();
    known.changed(group, change.joined(), change.left());
    DeviceEvent updated = new DeviceEvent.ConversationUpdated(group, info.title(), info.members(), info.roles(),
        info.memberCount());
    if (change.joined().isEmpty() && change.left().isEmpty()) { // its title, roles or posting changed
      forward(group, updated);
    }
    Set<String> toldByUserEntities = Set.copyOf(change.toldByUserEntities());
    for (String userId : change.joined()) {
      for (ActorRef<Object> connection : connectionsOfUser.getOrDefault(userId, Set.of())) {
        connection.tell(new LiveEvent.Joined(group, info.lastSeq())); // what it hears starts after this
        subscribe(group, connection);
        if (!toldByUserEntities.contains(userId)) {
          connection.tell(updated);
        }
      }
      // Added now, after the group's newest seq; the members of a group becoming large joined earlier, each when.
      if (!toldByUserEntities.contains(userId) && checks.relays(group, userId)) {
        joinPoints.joined(group, userId, info.lastSeq());
      }
    }
    for (String userId : change.left()) { // their user entities tell their devices (see LargeMembers)
      List.copyOf(connectionsOfUser.getOrDefault(userId, Set.of())).forEach(connection -> drop(group, connection));
    }
    return Behaviors.same();
  }
}
