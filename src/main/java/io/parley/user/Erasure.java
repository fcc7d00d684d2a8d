package io.parley.user;

import io.parley.operations.Audit;
import io.parley.cluster.Done;
import io.parley.cluster.JournalEraser;
import io.parley.cluster.JsonSerializable;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.Conversations;
import io.parley.push.OfflinePushes;
import io.parley.push.PushToken;
import io.parley.user.UserActor.EraseFinished;
import io.parley.user.UserActor.EraseRequested;
import io.parley.user.UserActor.Event;
import io.parley.user.UserActor.ConversationErased;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * Erasing the account ({@code DELETE /v1/me}): a durable process of the {@link UserActor}.
 * {@link EraseRequested} records the conversations to leave, a page at a time
 * ({@link KnownConversations}: those the entity knows of, then those the member index lists); the
 * account is marked as erasing where keys are kept ({@link KeptElsewhere#markErasing}: sends are
 * refused from then on, and no new content key is made) before anything else is done; each
 * conversation's {@link ConversationActor.EraseMember} is asked (a few at a time, retried until it
 * answers) and its answer recorded ({@link ConversationErased}); what the account keeps outside
 * the entities is deleted ({@link KeptElsewhere}: its content key, which leaves every copy of its
 * messages unreadable, and its media); {@link EraseFinished} then leaves
 * the state empty (inbox, pending items, devices, push tokens, last seen) but for the record that
 * it was erased; last, the entity's own events and snapshots from before that record are deleted
 * ({@link JournalEraser}, then {@link UserActor.JournalErased}): only then is it done. A restart
 * half-way resumes at the step not yet recorded. Asking again while it runs, or once it is done
 * with nothing stored since, changes nothing.
 */
public final class Erasure {
  /**
   * {@code remaining}: conversations of the current page not yet erased; {@code finishedTs} 0 until
   * the state is emptied; {@code indexConsulted}: the member index's last page was added to
   * {@code remaining}. {@code knownAfter}, {@code indexAfter}: where the next page of the entity's
   * own conversations, of the index's, starts (null: none, not yet). {@code journalThrough}: the
   * events and snapshots to delete once the state is emptied, {@code journalErased} once they are
   * (0 and false in erasures that finished before the journal was erased too).
   */
  public record Progress(long requestedTs, List<String> remaining, long finishedTs, boolean indexConsulted,
      String knownAfter, String indexAfter, long journalThrough, boolean journalErased) implements JsonSerializable {
    boolean done() {
      return finishedTs != 0 && (journalErased || journalThrough == 0);
    }

    Progress withRemaining(List<String> conversations) {
      return new Progress(requestedTs, conversations, finishedTs, indexConsulted, knownAfter, indexAfter,
          journalThrough, journalErased);
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

  // What the erasure's steps send the entity: never journaled (see UserActor.Internal).

  /** A conversation answered ({@code failure} null if it erased the user), or (no conversation) time to go on. */
  record EraseStep(String conversationId, String failure) implements UserActor.Internal {}

  /** What the account kept outside the entities is deleted ({@link KeptElsewhere}), or {@code failure}. */
  record ElsewhereErased(String failure) implements UserActor.Internal {}

  /** A page of the member index's conversations of the user ({@link KeptElsewhere#conversations}), or {@code failure}. */
  record IndexConsulted(KeptElsewhere.Page page, String failure) implements UserActor.Internal {}

  /** The journal's events and snapshots from before the erasure were deleted ({@link JournalEraser}), or not. */
  record OwnJournalErased(boolean deleted) implements UserActor.Internal {}

  /** The account was marked as erasing where content keys are kept: null failure if it was. */
  record ErasingMarked(String failure) implements UserActor.Internal {}

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
  private final LongSupplier lastSequenceNr;
  /** Conversations recorded per page ({@value KnownConversations#PAGE_SIZE_SETTING}). */
  private final int pageSize;
  /** Conversations asked and not answered yet (memory only: a restart asks again). */
  private final Set<String> asking = new HashSet<>();
  /** Whether {@link KeptElsewhere#erase} is under way (memory only: a restart runs it again). */
  private boolean erasingElsewhere;
  private boolean consultingIndex;
  /** Whether a {@link JournalEraser} is under way (memory only: a restart starts another). */
  private boolean erasingJournal;
  /** Whether {@link KeptElsewhere#markErasing} succeeded in this incarnation (memory only: a restart marks again). */
  private boolean marked;
  private boolean marking;

  Erasure(String userId, ActorContext<UserActor.Command> ctx, TimerScheduler<UserActor.Command> timers,
      EffectFactories<Event, UserState> effects, Conversations conversations, KeptElsewhere elsewhere,
      DeviceConnections connections,
      OfflinePushes<UserActor.Command> pushes, Clock clock, LongSupplier lastSequenceNr) {
    this.userId = userId;
    this.ctx = ctx;
    this.timers = timers;
    this.effects = effects;
    this.conversations = conversations;
    this.elsewhere = elsewhere;
    this.connections = connections;
    this.pushes = pushes;
    this.clock = clock;
    this.lastSequenceNr = lastSequenceNr;
    var config = ctx.getSystem().settings().config();
    this.pageSize = Math.max(1, config.hasPath(KnownConversations.PAGE_SIZE_SETTING)
        ? config.getInt(KnownConversations.PAGE_SIZE_SETTING) : KnownConversations.DEFAULT_PAGE_SIZE);
  }

  static boolean running(UserState state) {
    return state.erasure != null && !state.erasure.done();
  }

  Effect<Event, UserState> request(UserState state, UserActor.Erase cmd) {
    Progress progress = state.erasure;
    if (progress != null && (!progress.done() || nothingStoredSince(state))) {
      return effects.none().thenRun(s -> cmd.replyTo().tell(status(progress)));
    }
    KeptElsewhere.Page known = KnownConversations.ofState(state, null, pageSize);
    return effects.persist(new EraseRequested(clock.millis(), known.conversations(), KnownConversations.after(known)))
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
      Progress progress = state.erasure;
      if (!marked && progress.finishedTs() == 0) { // conversations are asked only once it is marked
        markErasing(progress);
        return effects.none();
      }
      if (!progress.remaining().isEmpty()) {
        return effects.none().thenRun(this::advance);
      }
      if (progress.finishedTs() != 0) {
        eraseJournal(progress);
      } else if (progress.knownAfter() != null) {
        KeptElsewhere.Page known = KnownConversations.ofState(state, progress.knownAfter(), pageSize);
        return effects.persist(new UserActor.MoreConversationsKnown(known.conversations(), KnownConversations.after(known)))
            .thenRun(this::advance);
      } else if (!progress.indexConsulted()) {
        consultIndex(progress.indexAfter());
      } else {
        eraseElsewhere(state);
      }
      return effects.none();
    }
    asking.remove(step.conversationId());
    if (step.failure() != null) {
      // Neither id in the log: a direct conversation's names the user.
      ctx.getLog().warn("Erasing {} from a conversation failed, retrying: {}", Audit.digest(userId), step.failure());
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
    if (!marked && state.erasure.finishedTs() == 0) { // once finished, the key is gone: nothing to mark
      markErasing(state.erasure);
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
  private void markErasing(Progress progress) {
    if (marking) {
      return;
    }
    marking = true;
    ctx.pipeToSelf(Done.after(elsewhere.markErasing(userId, progress.requestedTs())),
        (done, failure) -> new ErasingMarked(failure == null ? null : failure.toString()));
  }

  Effect<Event, UserState> erasingMarked(UserState state, ErasingMarked erasingMarked) {
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

  private void consultIndex(String after) {
    if (consultingIndex) {
      return;
    }
    consultingIndex = true;
    ctx.pipeToSelf(elsewhere.conversations(userId, after, pageSize), (found, failure) ->
        new IndexConsulted(found, failure == null ? null : failure.toString()));
  }

  /** A page of the conversations the index lists goes on the list; those already erased answer at once. */
  Effect<Event, UserState> indexConsulted(UserState state, IndexConsulted consulted) {
    consultingIndex = false;
    if (!running(state) || state.erasure.indexConsulted()) {
      return effects.none();
    }
    if (consulted.failure() != null) {
      ctx.getLog().warn("Reading the member index of {} failed, retrying: {}", Audit.digest(userId),
          consulted.failure());
      timers.startSingleTimer(RETRY_TIMER, new EraseStep(null, null), RETRY_AFTER);
      return effects.none();
    }
    return effects.persist(new UserActor.ConversationsFound(consulted.page().conversations(), consulted.page().more()))
        .thenRun(this::advance);
  }

  private void eraseElsewhere(UserState state) {
    if (erasingElsewhere) {
      return;
    }
    erasingElsewhere = true;
    List<PushToken> tokens = List.copyOf(state.pushTokens);
    ctx.pipeToSelf(Done.after(elsewhere.forgetPushTokens(userId, tokens).thenCompose(forgotten -> elsewhere.erase(userId))),
        (done, failure) -> new ElsewhereErased(failure == null ? null : failure.toString()));
  }

  Effect<Event, UserState> elsewhereErased(UserState state, ElsewhereErased erased) {
    erasingElsewhere = false;
    if (!running(state) || state.erasure.finishedTs() != 0) {
      return effects.none();
    }
    if (erased.failure() != null) {
      ctx.getLog().warn("Erasing the key and media of {} failed, retrying: {}", Audit.digest(userId), erased.failure());
      timers.startSingleTimer(RETRY_TIMER, new EraseStep(null, null), RETRY_AFTER);
      return effects.none();
    }
    return finish(state);
  }

  private Effect<Event, UserState> finish(UserState state) {
    return effects.persist(new EraseFinished(clock.millis(), state.erasure.requestedTs(), state.nextCursor,
            lastSequenceNr.getAsLong()))
        .thenRun(stored -> {
          pushes.cancelAll();
          closeConnections(); // any that connected while it ran
          eraseJournal(stored.erasure);
        });
  }

  /** Deletes the events and snapshots from before {@link EraseFinished}: it alone rebuilds the state. */
  private void eraseJournal(Progress progress) {
    if (erasingJournal) {
      return;
    }
    erasingJournal = true;
    Adapter.actorOf(ctx, JournalEraser.eventsAndSnapshots(UserActor.persistenceId(userId).id(), progress.journalThrough(),
        Adapter.toClassic(ctx.getSelf()), new OwnJournalErased(true), new OwnJournalErased(false)));
  }

  Effect<Event, UserState> journalErased(UserState state, OwnJournalErased erased) {
    erasingJournal = false;
    if (!running(state) || state.erasure.finishedTs() == 0) {
      return effects.none();
    }
    if (!erased.deleted()) {
      timers.startSingleTimer(RETRY_TIMER, new EraseStep(null, null), RETRY_AFTER);
      return effects.none();
    }
    return effects.persist(new UserActor.JournalErased(state.erasure.journalThrough()))
        .thenRun(stored -> Audit.record("parley", "erasure finished", Audit.digest(userId), "done"));
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

  private static List<String> union(List<String> a, List<String> b) {
    TreeSet<String> all = new TreeSet<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  static Status status(Progress progress) {
    return new Status(progress.done(), progress.requestedTs(), progress.finishedTs());
  }

  // ------------------------------------------------------------------------------ event handler

  static UserState apply(UserState state, UserActor.Erasing event) {
    Progress progress = state.erasure;
    if (event instanceof EraseRequested e) {
      state.erasure = new Progress(e.ts(), e.conversations(), 0, false, e.knownAfter(), null, 0, false);
    } else if (event instanceof ConversationErased e && progress != null) {
      List<String> remaining = new ArrayList<>(progress.remaining());
      remaining.remove(e.conversationId());
      state.erasure = progress.withRemaining(List.copyOf(remaining));
    } else if (event instanceof UserActor.MoreConversationsKnown e && progress != null) {
      state.erasure = new Progress(progress.requestedTs(), union(progress.remaining(), e.conversations()), 0,
          progress.indexConsulted(), e.knownAfter(), progress.indexAfter(), 0, false);
    } else if (event instanceof UserActor.ConversationsFound e && progress != null) {
      boolean more = e.more() && !e.conversations().isEmpty(); // an empty page has nothing to go on from
      String indexAfter = more ? e.conversations().get(e.conversations().size() - 1) : null;
      state.erasure = new Progress(progress.requestedTs(), union(progress.remaining(), e.conversations()), 0,
          !more, progress.knownAfter(), indexAfter, 0, false);
    } else if (event instanceof EraseFinished e) {
      // Cursors never go back, so a device that connects later cannot mistake new items for old.
      UserState erased = new UserState();
      erased.nextCursor = Math.max(state.nextCursor, e.nextCursor());
      long requestedTs = e.requestedTs() != 0 ? e.requestedTs() : progress == null ? e.ts() : progress.requestedTs();
      erased.erasure = new Progress(requestedTs, List.of(), e.ts(), true, null, null, e.journalThrough(), false);
      return erased;
    } else if (event instanceof UserActor.JournalErased e && progress != null
        && e.throughSeqNr() >= progress.journalThrough()) {
      state.erasure = new Progress(progress.requestedTs(), List.of(), progress.finishedTs(), true, null, null,
          progress.journalThrough(), true);
    }
    return state;
  }
}
