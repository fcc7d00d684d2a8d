package io.parley.user;

import io.parley.cluster.EntityLifecycle;
import io.parley.conversation.Conversations;
import io.parley.push.OfflinePushes;
import io.parley.push.PushNotifier;
import io.parley.user.UserActor.Command;
import io.parley.user.UserActor.Event;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * What one user entity works with: its jobs, built with the entity's context, timers and effects.
 * {@link UserCommands} hands each command to one of them.
 */
final class UserJobs {
  private static final AtomicLong INCARNATIONS = new AtomicLong(System.nanoTime());

  final EffectFactories<Event, UserState> effects;
  final DeviceConnections connections;
  final OfflinePushes<Command> pushes;
  final WakeUpPushes wakeUps;
  final DeliveryStream stream;
  final InboxCommands inbox;
  final Allowances allowances;
  final Erasure erasure;
  final GroupConsent consent;
  final UserWrites writes;
  final Passivation passivation;
  final EntityLifecycle<UserState> lifecycle;
  private long incarnation;

  UserJobs(String userId, ActorContext<Command> ctx, TimerScheduler<Command> timers,
      ActorRef<ClusterSharding.ShardCommand> shard, Conversations conversations, UserSettings settings,
      PushNotifier pushNotifier, KeptElsewhere elsewhere, Clock clock, EffectFactories<Event, UserState> effects,
      LongSupplier lastSequenceNr) {
    this.effects = effects;
    this.lifecycle = new EntityLifecycle<>(UserActor.TYPE_KEY.name(), ctx, shard);
    this.pushes = new OfflinePushes<>(userId, settings.pushGatherDelay(), settings.pushCoalesceWindow(), pushNotifier,
        timers, WakeUpPushes.PushDue::new, clock);
    MemberLists memberLists = new MemberLists(conversations, ctx.getSystem());
    // A device back online fetches what is pending: nothing waiting is pushed any more.
    this.connections = new DeviceConnections(userId, ctx, settings, clock, memberLists, pushes::cancelAll);
    this.wakeUps = new WakeUpPushes(pushes, connections::online, effects);
    this.stream = new DeliveryStream(userId, conversations, settings, clock, timers, connections, pushes);
    this.inbox = new InboxCommands(userId, conversations, settings, connections, memberLists, clock, ctx.getSelf());
    this.allowances = new Allowances(clock);
    this.erasure = new Erasure(userId, ctx, timers, effects, conversations, elsewhere, connections, pushes, clock,
        lastSequenceNr);
    this.consent = new GroupConsent(userId, effects, connections, memberLists, clock);
    this.passivation = new Passivation(clock, settings.passivateAfterIdle(), timers, lifecycle);
    this.writes = new UserWrites(ctx, effects, stream, inbox, connections, consent, passivation, () -> incarnation);
    lifecycle.onRestart(() -> { // one write is in flight at a time, a group commit's or a consent's
      writes.writeFailed();
      consent.writeFailed();
    });
  }

  /** The entity was rebuilt (started, or restarted after a failed write): its jobs start over. */
  void recovered(UserState state) {
    incarnation = INCARNATIONS.incrementAndGet();
    passivation.start();
    erasure.advance(state);
  }

  Effect<Event, UserState> onTick(UserState state) {
    connections.pruneWatching();
    passivation.check(() -> writes.idle() && connections.idle() && pushes.isEmpty() && allowances.full()
        && !Erasure.running(state));
    return effects.none();
  }

  /** A device's command that stores nothing: it counts as activity, then {@code handle} runs. */
  Effect<Event, UserState> touched(Runnable handle) {
    passivation.touch();
    handle.run();
    return effects.none();
  }
}
