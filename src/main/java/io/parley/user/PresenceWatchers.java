package io.parley.user;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The connections that watch a user's presence: plain actor refs, watched, held only while the
 * {@link UserActor} runs, which they do not keep running: {@link PresenceNotices} brings them
 * back when the user's devices connect again, after a passivation, restart or move.
 *
 * <p>Only this user's contacts see its presence: those in a conversation where this user has sent
 * a message, as its inbox records it ({@link Inbox#hasTalkedTo}); writing to someone does not
 * make them show you their presence, answering does. Anyone else's subscription is held but
 * hidden: it is told {@link DeviceEvent.PresenceHidden} (the same whether this user exists, is
 * online or not) and hears nothing more until this user talks to them. Access is decided again
 * on every renewal, every change of presence and every write that changes the inbox, and each
 * subscriber is told when its access changes.
 */
final class PresenceWatchers {
  private final String userId;
  private final ActorContext<UserActor.Command> ctx;
  /** Each subscriber's connection: whose it is, and whether it was last told the presence. */
  private final Map<ActorRef<DeviceEvent>, Watcher> watchers = new HashMap<>();
  private final MemberLists memberLists;
  /** Whether a connection is one of this user's devices, watched already with the message that disconnects it. */
  private final Predicate<ActorRef<DeviceEvent>> isDevice;
  /**
   * Per subscriber's user, whether they are in a conversation whose members the inbox does not
   * keep, as the conversations answered; valid while the inbox's member lists stay as they were
   * at {@code answersOf} of its {@link Inbox#membershipChanges}. Those still asked are in {@code asking}.
   */
  private final Map<String, Boolean> sharesNotKept = new HashMap<>();
  private final Set<String> asking = new HashSet<>();
  private int answersOf = -1;
  private static final int MAX_ANSWERS = 10_000;

  private record Watcher(String userId, boolean shown) {}

  /** Whether a presence subscriber is in a conversation whose members the inbox does not keep. */
  record PresenceChecked(String subscriberUserId, int membershipChanges, boolean shares)
      implements UserActor.Internal {}

  PresenceWatchers(String userId, ActorContext<UserActor.Command> ctx, MemberLists memberLists,
      Predicate<ActorRef<DeviceEvent>> isDevice) {
    this.userId = userId;
    this.ctx = ctx;
    this.memberLists = memberLists;
    this.isDevice = isDevice;
  }

  /**
   * Every subscriber is watched, so that one that stops leaves. A connection of this user's own
   * that is a device is watched as one already (Pekko watches an actor with one message only), and
   * its subscription ends in {@link #connectionClosed}; one that is not (not registered yet, or
   * its subscription came after its disconnect) is watched here until it registers
   * ({@link #device}).
   */
  void subscribe(UserActor.SubscribePresence cmd, UserState state, boolean online) {
    if (!watchers.containsKey(cmd.subscriber()) && !isDevice.test(cmd.subscriber())) {
      ctx.watchWith(cmd.subscriber(), new UserActor.UnsubscribePresence(cmd.subscriber()));
    }
    tell(cmd.subscriber(), cmd.subscriberUserId(), state, online);
  }

  private boolean ownConnection(String subscriberUserId) {
    return userId.equals(subscriberUserId);
  }

  /** One of this user's connections becomes a device, watched as one from now on: not here any more. */
  void device(ActorRef<DeviceEvent> connection) {
    if (watchers.containsKey(connection)) {
      ctx.unwatch(connection);
    }
  }

  /** One of this user's connections is no device any more (its registration was refused): watched here again. */
  void notADevice(ActorRef<DeviceEvent> connection) {
    if (watchers.containsKey(connection)) {
      ctx.watchWith(connection, new UserActor.UnsubscribePresence(connection));
    }
  }

  /** One of this user's own connections ended or was replaced: so does its subscription, if any. */
  void connectionClosed(ActorRef<DeviceEvent> connection) {
    Watcher watcher = watchers.get(connection);
    if (watcher != null && ownConnection(watcher.userId())) {
      watchers.remove(connection);
    }
  }

  /** Answered only if it brings the subscription back (after a move or restart) or changes access. */
  void renew(UserActor.RenewPresence cmd, UserState state, boolean online) {
    Watcher watcher = watchers.get(cmd.subscriber());
    if (watcher == null) {
      subscribe(new UserActor.SubscribePresence(cmd.subscriberUserId(), cmd.subscriber()), state, online);
    } else if (watcher.shown() != mayWatch(watcher.userId(), state)) {
      tell(cmd.subscriber(), watcher.userId(), state, online);
    }
  }

  void unsubscribe(UserActor.UnsubscribePresence cmd) {
    Watcher watcher = watchers.remove(cmd.subscriber());
    if (watcher != null && !isDevice.test(cmd.subscriber())) {
      ctx.unwatch(cmd.subscriber());
    }
  }

  /** The presence changed: those who may see it are told; hidden ones stay hidden. */
  void publish(UserState state, boolean online) {
    Map.copyOf(watchers).forEach((subscriber, watcher) -> {
      if (watcher.shown() || mayWatch(watcher.userId(), state)) {
        tell(subscriber, watcher.userId(), state, online);
      }
    });
  }

  /** A write may have changed who shares a conversation: only those whose access changed are told. */
  void inboxChanged(UserState state, boolean online) {
    if (watchers.isEmpty()) {
      return;
    }
    Map.copyOf(watchers).forEach((subscriber, watcher) -> {
      if (watcher.shown() != mayWatch(watcher.userId(), state)) {
        tell(subscriber, watcher.userId(), state, online);
      }
    });
  }

  private void tell(ActorRef<DeviceEvent> subscriber, String subscriberUserId, UserState state, boolean online) {
    boolean shown = mayWatch(subscriberUserId, state);
    watchers.put(subscriber, new Watcher(subscriberUserId, shown));
    subscriber.tell(shown ? new DeviceEvent.Presence(userId, online, state.lastSeenTs(), ctx.getSelf()) : new DeviceEvent.PresenceHidden(userId));
  }

  private boolean mayWatch(String subscriberUserId, UserState state) {
    return userId.equals(subscriberUserId)
        || (subscriberUserId != null && (state.inbox.hasTalkedTo(userId, subscriberUserId)
            || sharesNotKept(subscriberUserId, state)));
  }

  /**
   * Whether the subscriber is in a conversation where this user has sent and whose members the
   * inbox does not keep. Until those conversations have answered it is not; their answer
   * ({@link #checked}) tells the subscriber if that changes its access.
   */
  private boolean sharesNotKept(String subscriberUserId, UserState state) {
    int changes = state.inbox.membershipChanges();
    if (changes != answersOf || sharesNotKept.size() > MAX_ANSWERS) {
      sharesNotKept.clear();
      asking.clear();
      answersOf = changes;
    }
    Boolean known = sharesNotKept.get(subscriberUserId);
    if (known != null) {
      return known;
    }
    List<String> notKept = state.inbox.sentToMembersNotKept(userId);
    if (!notKept.isEmpty() && asking.add(subscriberUserId)) {
      ctx.pipeToSelf(memberLists.anyHasMember(notKept, subscriberUserId),
          (shares, failure) -> new PresenceChecked(subscriberUserId, changes, failure == null && shares));
    }
    return false;
  }

  /** The conversations answered: subscribers whose access this changes are told. */
  void checked(PresenceChecked cmd, UserState state, boolean online) {
    if (cmd.membershipChanges() != answersOf || !asking.remove(cmd.subscriberUserId())) {
      return; // the member lists changed since: asked again when needed
    }
    sharesNotKept.put(cmd.subscriberUserId(), cmd.shares());
    inboxChanged(state, online);
  }
}
