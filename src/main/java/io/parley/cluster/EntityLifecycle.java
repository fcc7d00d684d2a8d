package io.parley.cluster;

import io.parley.metrics.ParleyMetrics;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.JournalPersistFailed;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.persistence.typed.javadsl.SignalHandlerBuilder;

/**
 * What every event-sourced entity does alike: it restarts with back-off when the journal fails
 * (told by {@link JournalFailures}, not by the supervisor's stack trace per restart), counts
 * itself in {@code parley_entities_running} from recovery until it stops (a restart counts once),
 * and asks its shard to passivate it.
 */
public final class EntityLifecycle<S> {
  private final String type;
  private final ParleyMetrics.RunningEntity running;
  // null for an entity that never asks to passivate (a singleton, or one sharding passivates)
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorRef<?> self;
  private Runnable onRestart = () -> {};
  private Throwable lastRecoveryFailure;

  public EntityLifecycle(String type, ActorContext<?> ctx, ActorRef<ClusterSharding.ShardCommand> shard) {
    this.type = type;
    this.running = new ParleyMetrics.RunningEntity(type);
    this.shard = shard;
    this.self = ctx.getSelf();
  }

  public EntityLifecycle(String type) {
    this.type = type;
    this.running = new ParleyMetrics.RunningEntity(type);
    this.shard = null;
    this.self = null;
  }

  /**
   * For the entity's constructor: a journal failure restarts it, backing off. The supervisor's own
   * log (a stack trace per restart) is off: {@link #signals} tells {@link JournalFailures} instead.
   */
  public static BackoffSupervisorStrategy onPersistenceFailure() {
    return SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2)
        .withLoggingEnabled(false);
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
        .onSignal(PostStop.instance(), state -> running.stopped())
        .onSignal(JournalPersistFailed.class,
            (state, failed) -> JournalFailures.NODE.failed(type, name(), JournalFailures.Kind.WRITE, failed.failure()))
        .onSignal(RecoveryFailed.class, (state, failed) -> recoveryFailed(failed.failure()));
    more.accept(builder);
    return builder.build();
  }

  /**
   * Pekko (1.2) signals one failed replay twice: with the journal's cause, and again with the
   * exception it wraps that cause in, so the second is not counted.
   */
  private void recoveryFailed(Throwable failure) {
    if (failure.getCause() == null || failure.getCause() != lastRecoveryFailure) {
      JournalFailures.NODE.failed(type, name(), JournalFailures.Kind.RECOVERY, failure);
    }
    lastRecoveryFailure = failure;
  }

  /** The entity's id, as sharding names its actor. */
  private String name() {
    return self == null ? "" : URLDecoder.decode(self.path().name(), StandardCharsets.UTF_8);
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
