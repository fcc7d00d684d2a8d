package io.parley.user;

import io.parley.operations.Audit;
import io.parley.cluster.Done;
import io.parley.cluster.JsonSerializable;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.Conversations;
import io.parley.push.OfflinePushes;
import io.parley.user.UserActor.EraseFinished;
import io.parley.user.UserActor.EraseRequested;
import io.parley.user.UserActor.ElsewhereErased;
import io.parley.user.UserActor.EraseStep;
import io.parley.user.UserActor.Event;
import io.parley.user.UserActor.ConversationErased;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * Erasing the account ({@code DELETE /v1/me}): a durable process of the {@link UserActor}.
 * {@link EraseRequested} records the conversations to leave (those the entity knows of); the
 * account is marked as erasing where keys are kept ({@link KeptElsewhere#markErasing}: sends are
 * refused from then on, and no new content key is made) before anything else is done; each
 * conversation's {@link ConversationActor.EraseMember} is asked (a few at a time, retried until it
 * answers) and its answer recorded ({@link ConversationErased}); what the account keeps outside
 * the entities is deleted ({@link KeptElsewhere}: its content key, which leaves every copy of its
 * messages unreadable, and its media); {@link EraseFinished} then leaves
 * the state empty (inbox, pending items, devices, push tokens, last seen) but for the record that
 * it was erased. A restart half-way resumes at the conversations not yet recorded. Asking again
 * while it runs, or once it is done with nothing stored since, changes nothing.
 */
public final class Erasure {
  /**
   * {@code remaining}: conversations not yet erased; {@code finishedTs} 0 while under way;
   * {@code indexConsulted}: the member index's conversations were added to {@code remaining}.
   */
  public record Progress(long requestedTs, List<String> remaining, long finishedTs, boolean indexConsulted)
      implements JsonSerializable {
    boolean done() {
      return finishedTs != 0;
    }
  }

  /** The answer to {@link UserActor.Erase}. */
  public record Status(boolean done, long requestedTs, long finishedTs) implements JsonSerializable {}

  /** The answer to {@link UserActor.ResumeErasure}: {@code status} null if no erasure was ever requested. */
  public record Resumed(Status status) implements JsonSerializable {
    /** Nothing is left to resume: none was requested, or it is done. */
    public boolean settled() {
      return status == null || status.done();
    }
  }

  static final int CONVERSATIONS_AT_ONCE = 16;
  static final Duration RETRY_AFTER = Duration.ofSeconds(2);
  /** A conversation answers at once unless it is recovering a long journal. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private static final String RETRY_TIMER = "erasure-retry";

  private final String userId;
  private final ActorContext<UserActor.Command> ctx;
  private final TimerScheduler<UserActor.Command> timers;
  private final EffectFactories<Event, UserState> effects;
  private final Conversations conversations;
  private final KeptElsewhere elsewhere;
  private final DeviceConnections connections;
  private final OfflinePushes<UserActor.Command> pushes;
  private final Clock clock;
  /** Conversations asked and not answered yet (memory only: a restart asks again). */
  private final Set<String> asking = new HashSet<>();
  /** Whether {@link KeptElsewhere#erase} is under way (memory only: a restart runs it again). */
  private boolean erasingElsewhere;
  private boolean consultingIndex;
  /** Whether {@link KeptElsewhere#markErasing} succeeded in this incarnation (memory only: a restart marks again). */
  private boolean marked;
  private boolean marking;

  Erasure(String userId, ActorContext<UserActor.Command> ctx, TimerScheduler<UserActor.Command> timers,
      EffectFactories<Event, UserState> effects, Conversations conversations, KeptElsewhere elsewhere,
      DeviceConnections connections,
      OfflinePushes<UserActor.Command> pushes, Clock clock) {
    this.userId = userId;
    this.ctx = ctx;
    this.timers = timers;
    this.effects = effects;
    this.conversations = conversations;
    this.elsewhere = elsewhere;
    this.connections = connections;
    this.pushes = pushes;
    this.clock = clock;
  }

  static boolean running(UserState state) {
    return state.erasure != null && !state.erasure.done();
  }

  Effect<Event, UserState> request(UserState state, UserActor.Erase cmd) {
    Progress progress = state.erasure;
    if (progress != null && (!progress.done() || nothingStoredSince(state))) {
      return effects.none().thenRun(s -> cmd.replyTo().tell(status(progress)));
    }
    TreeSet<String> toLeave = new TreeSet<>(state.storedThrough.keySet());
    toLeave.addAll(state.inbox.entries().keySet());
    return effects.persist(new EraseRequested(clock.millis(), List.copyOf(toLeave)))
        .thenRun(stored -> {
          cmd.replyTo().tell(status(stored.erasure));
          closeConnections();
          advance(stored);
        });
  }

  /** A conversation answered (or did not), or it is time to go on. */
  Effect<Event, UserState> step(UserState state, EraseStep step) {
    if (!running(state)) {
      return effects.none();
    }
    if (step.conversationId() == null) {
      if (!marked) { // conversations are asked only once it is marked, so nothing else waits on it
        markErasing();
        return effects.none();
      }
      if (state.erasure.remaining().isEmpty()) {
        if (state.erasure.indexConsulted()) {
          eraseElsewhere();
        } else {
          consultIndex();
        }
        return effects.none();
      }
      return effects.none().thenRun(this::advance);
    }
    asking.remove(step.conversationId());
    if (step.failure() != null) {
      ctx.getLog().warn("Erasing {} from {} failed, retrying: {}", Audit.digest(userId), step.conversationId(),
          step.failure());
      timers.startSingleTimer(RETRY_TIMER, new EraseStep(null, null), RETRY_AFTER);
      return effects.none();
    }
    if (!state.erasure.remaining().contains(step.conversationId())) {
      return effects.none();
    }
    return effects.persist(new ConversationErased(step.conversationId())).thenRun(this::advance);
  }

  /** After recovery, and after each step: asks the next conversations, or finishes. */
  void advance(UserState state) {
    if (!running(state)) {
      return;
    }
    if (!marked) {
      markErasing();
      return;
    }
    List<String> remaining = state.erasure.remaining();
    if (remaining.isEmpty()) {
      ctx.getSelf().tell(new EraseStep(null, null));
      return;
    }
    for (String conversationId : remaining) {
      if (asking.size() >= CONVERSATIONS_AT_ONCE) {
        break;
      }
      if (asking.add(conversationId)) {
        ask(conversationId);
      }
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void ask(String conversationId) {
    ctx.ask((Class<Outcome<Done>>) (Class) Outcome.class, conversations.conversation(conversationId), ASK_TIMEOUT,
        replyTo -> new ConversationActor.EraseMember(userId, replyTo),
        (outcome, failure) -> new EraseStep(conversationId,
            failure != null ? failure.toString() : outcome.isOk() ? null : outcome.message()));
  }

  /** First of all, whatever else the erasure has done: sends are refused and no new key is made from now on. */
  private void markErasing() {
    if (marking) {
      return;
    }
    marking = true;
    ctx.pipeToSelf(elsewhere.markErasing(userId),
        (done, failure) -> new UserActor.ErasingMarked(failure == null ? null : failure.toString()));
  }

  Effect<Event, UserState> erasingMarked(UserState state, UserActor.ErasingMarked erasingMarked) {
    marking = false;
    if (!running(state)) {
      return effects.none();
    }
    if (erasingMarked.failure() != null) {
      ctx.getLog().warn("Marking {} as erasing failed, retrying: {}", Audit.digest(userId), erasingMarked.failure());
      timers.startSingleTimer(RETRY_TIMER, new EraseStep(null, null), RETRY_AFTER);
      return effects.none();
    }
    marked = true;
    return effects.none().thenRun(this::advance);
  }

  private void consultIndex() {
    if (consultingIndex) {
      return;
    }
    consultingIndex = true;
    ctx.pipeToSelf(elsewhere.conversations(userId), (found, failure) ->
        new UserActor.IndexConsulted(found, failure == null ? null : failure.toString()));
  }

  /** The conversations the index lists go on the list; those already erased answer at once. */
  Effect<Event, UserState> indexConsulted(UserState state, UserActor.IndexConsulted consulted) {
    consultingIndex = false;
    if (!running(state) || state.erasure.indexConsulted()) {
      return effects.none();
    }
    if (consulted.failure() != null) {
      ctx.getLog().warn("Reading the member index of {} failed, retrying: {}", userId, consulted.failure());
      timers.startSingleTimer(RETRY_TIMER, new EraseStep(null, null), RETRY_AFTER);
      return effects.none();
    }
    return effects.persist(new UserActor.ConversationsFound(List.copyOf(consulted.conversations())))
        .thenRun(this::advance);
  }

  private void eraseElsewhere() {
    if (erasingElsewhere) {
      return;
    }
    erasingElsewhere = true;
    ctx.pipeToSelf(elsewhere.erase(userId),
        (done, failure) -> new ElsewhereErased(failure == null ? null : failure.toString()));
  }

  Effect<Event, UserState> elsewhereErased(UserState state, ElsewhereErased erased) {
    erasingElsewhere = false;
    if (!running(state)) {
      return effects.none();
    }
    if (erased.failure() != null) {
      ctx.getLog().warn("Erasing the key and media of {} failed, retrying: {}", Audit.digest(userId), erased.failure());
      timers.startSingleTimer(RETRY_TIMER, new EraseStep(null, null), RETRY_AFTER);
      return effects.none();
    }
    return finish();
  }

  private Effect<Event, UserState> finish() {
    return effects.persist(new EraseFinished(clock.millis())).thenRun(stored -> {
      pushes.cancelAll();
      closeConnections(); // any that connected while it ran
      Audit.record("parley", "erasure finished", Audit.digest(userId), "done");
    });
  }

  /** Every device's connection closes (as if replaced); a device that connects again starts afresh. */
  private void closeConnections() {
    connections.broadcast(new DeviceEvent.Replaced(), null);
  }

  /** A finished erasure is asked for again: only if something was stored since is there anything to do. */
  private static boolean nothingStoredSince(UserState state) {
    return state.storedThrough.isEmpty() && state.pushTokens.isEmpty() && state.inbox.entries().isEmpty();
  }

  static Resumed resumed(UserState state) {
    return new Resumed(state.erasure == null ? null : status(state.erasure));
  }

  static Status status(Progress progress) {
    return new Status(progress.done(), progress.requestedTs(), progress.finishedTs());
  }

  // ------------------------------------------------------------------------------ event handler

  static UserState apply(UserState state, UserActor.Erasing event) {
    if (event instanceof EraseRequested e) {
      state.erasure = new Progress(e.ts(), e.conversations(), 0, false);
    } else if (event instanceof ConversationErased e && state.erasure != null) {
      List<String> remaining = new ArrayList<>(state.erasure.remaining());
      remaining.remove(e.conversationId());
      state.erasure = new Progress(state.erasure.requestedTs(), List.copyOf(remaining), 0,
          state.erasure.indexConsulted());
    } else if (event instanceof UserActor.ConversationsFound e && state.erasure != null) {
      TreeSet<String> remaining = new TreeSet<>(state.erasure.remaining());
      remaining.addAll(e.conversations());
      state.erasure = new Progress(state.erasure.requestedTs(), List.copyOf(remaining), 0, true);
    } else if (event instanceof EraseFinished e) {
      // Cursors never go back, so a device that connects later cannot mistake new items for old.
      UserState erased = new UserState();
      erased.nextCursor = state.nextCursor;
      erased.erasure = new Progress(state.erasure == null ? e.ts() : state.erasure.requestedTs(), List.of(), e.ts(),
          true);
      return erased;
    }
    return state;
  }
}
