package io.parley.user;

import io.parley.operations.Audit;
import io.parley.user.ErasureRegistry.Unfinished;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes erasures cut short by a crash (one per cluster, a singleton). User entities are not
 * remembered, so after a crash nothing else starts the entity of a user whose erasure was under
 * way. Shortly after start and then every interval this reads the {@link ErasureRegistry}, asks
 * each of those users' entities {@link UserActor.ResumeErasure} (asking starts the entity, and its
 * recovery resumes the erasure) and forgets the erasures found settled. A round asks at most
 * {@link #USERS_PER_ROUND} users, {@link #USERS_AT_ONCE} at a time; with more, rounds take turns.
 */
public final class ErasureResumer {
  static final int USERS_PER_ROUND = 100;
  static final int USERS_AT_ONCE = 4;
  /** The first round comes soon after a (re)start, when erasures cut short are likeliest. */
  static final Duration FIRST_ROUND_AFTER = Duration.ofSeconds(5);
  /** A user entity answers at once unless it is recovering a long journal. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(ErasureResumer.class);

  /** Its own messages only: nothing outside sends to it. */
  public sealed interface Command {}

  private enum Round implements Command { INSTANCE }

  private record Listed(List<Unfinished> unfinished, Throwable failure) implements Command {}

  private record Answered(Unfinished erasure, Erasure.Resumed reply, Throwable failure) implements Command {}

  public static Behavior<Command> create(Users users, ErasureRegistry registry, Duration interval) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Round.INSTANCE, FIRST_ROUND_AFTER.compareTo(interval) < 0 ? FIRST_ROUND_AFTER : interval);
      return new ErasureResumer(users, registry, interval, ctx, timers).behavior();
    }));
  }

  private final Users users;
  private final ErasureRegistry registry;
  private final Duration interval;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Queue<Unfinished> toAsk = new ArrayDeque<>();
  private int asking;
  /** Where the next round starts, when one round cannot take them all. */
  private String lastAsked = "";

  private ErasureResumer(Users users, ErasureRegistry registry, Duration interval, ActorContext<Command> ctx,
      TimerScheduler<Command> timers) {
    this.users = users;
    this.registry = registry;
    this.interval = interval;
    this.ctx = ctx;
    this.timers = timers;
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Round.INSTANCE, () -> {
          ctx.pipeToSelf(registry.unfinished(), Listed::new);
          return Behaviors.same();
        })
        .onMessage(Listed.class, listed -> {
          if (listed.failure() != null) {
            log.warn("Could not read the unfinished erasures; trying again in {}: {}", interval, listed.failure().toString());
          } else {
            toAsk.addAll(thisRound(listed.unfinished(), lastAsked, USERS_PER_ROUND));
          }
          return askOrEndRound();
        })
        .onMessage(Answered.class, answered -> {
          asking--;
          settle(answered);
          return askOrEndRound();
        })
        .build();
  }

  private Behavior<Command> askOrEndRound() {
    while (asking < USERS_AT_ONCE && !toAsk.isEmpty()) {
      Unfinished erasure = toAsk.remove();
      lastAsked = erasure.userId();
      asking++;
      ctx.ask(Erasure.Resumed.class, users.user(erasure.userId()), ASK_TIMEOUT, UserActor.ResumeErasure::new,
          (reply, failure) -> new Answered(erasure, reply, failure));
    }
    if (asking == 0) { // the next round is timed from the end of this one, so rounds never overlap
      timers.startSingleTimer(Round.INSTANCE, interval);
    }
    return Behaviors.same();
  }

  private void settle(Answered answered) {
    // Logs name the account by its digest, never its id (an erased account leaves none behind).
    String account = Audit.digest(answered.erasure().userId());
    if (answered.failure() != null) {
      log.warn("The entity of {} did not answer; its erasure is asked after again next round: {}",
          account, answered.failure().toString());
    } else if (answered.reply().settled()) {
      registry.finished(answered.erasure()).whenComplete((done, failure) -> {
        if (failure != null) {
          log.warn("Could not forget the settled erasure of {}; trying again next round: {}", account, failure.toString());
        }
      });
    } else {
      log.info("Erasure of {} (requested at {}) is under way: its entity is running", account,
          answered.reply().status().requestedTs());
    }
  }

  /**
   * Up to {@code max} of {@code unfinished} in user id order, starting after {@code after} and
   * wrapping around, so that with more than a round's worth each round takes the next ones.
   */
  static List<Unfinished> thisRound(List<Unfinished> unfinished, String after, int max) {
    List<Unfinished> sorted = unfinished.stream().sorted(Comparator.comparing(Unfinished::userId)).toList();
    int start = 0;
    while (start < sorted.size() && sorted.get(start).userId().compareTo(after) <= 0) {
      start++;
    }
    List<Unfinished> round = new ArrayList<>();
    for (int i = 0; i < Math.min(max, sorted.size()); i++) {
      round.add(sorted.get((start + i) % sorted.size()));
    }
    return round;
  }
}
