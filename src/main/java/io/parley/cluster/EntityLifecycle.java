package io.parley.cluster;

import io.parley.metrics.ParleyMetrics;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.persistence.typed.javadsl.SignalHandlerBuilder;

/**
 * What every event-sourced entity does alike: it restarts with back-off when the journal fails,
 * counts itself in {@code parley_entities_running} from recovery until it stops (a restart counts
 * once), and asks its shard to passivate it.
 */
public final class EntityLifecycle<S> {
  private final ParleyMetrics.RunningEntity running;
  // null for an entity that never asks to passivate (a singleton, or one sharding passivates)
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorRef<?> self;
  private Runnable onRestart = () -> {};

  public EntityLifecycle(String type, ActorContext<?> ctx, ActorRef<ClusterSharding.ShardCommand> shard) {
    this.running = new ParleyMetrics.RunningEntity(type);
    this.shard = shard;
    this.self = ctx.getSelf();
  }

  public EntityLifecycle(String type) {
    this.running = new ParleyMetrics.RunningEntity(type);
    this.shard = null;
    this.self = null;
  }

  /** For the entity's constructor: a journal failure restarts it, backing off. */
  public static BackoffSupervisorStrategy onPersistenceFailure() {
    return SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);
  }

  /** The entity's signal handler: the lifecycle's signals, {@code onRecovered}, then its own. */
  public SignalHandler<S> signals(
      SignalHandlerBuilder<S> builder, Consumer<S> onRecovered, Consumer<SignalHandlerBuilder<S>> more) {
    builder
        .onSignal(RecoveryCompleted.instance(), state -> {
          running.started();
          onRecovered.accept(state);
        })
        .onSignal(PreRestart.instance(), state -> {
          running.stopped();
          onRestart.run();
        })
        .onSignal(PostStop.instance(), state -> running.stopped());
    more.accept(builder);
    return builder.build();
  }

  /**
   * What the entity does when a write failed and it restarts (its jobs outlive the restart, which
   * rebuilds only its state): such as telling whoever waits for the failed write.
   */
  public void onRestart(Runnable restarting) {
    this.onRestart = restarting;
  }

  public SignalHandler<S> signals(SignalHandlerBuilder<S> builder, Consumer<S> onRecovered) {
    return signals(builder, onRecovered, b -> {});
  }

  public void passivate() {
    shard.tell(new ClusterSharding.Passivate<>(self.unsafeUpcast()));
  }
}
