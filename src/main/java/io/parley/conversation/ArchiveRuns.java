package io.parley.conversation;

import io.parley.cluster.JournalEraser;
import io.parley.conversation.ColdArchive.Step;
import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.JournalTrimmed;
import io.parley.conversation.ConversationActor.SegmentArchived;
import io.parley.conversation.ConversationActor.TrimResumed;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.State;
import io.parley.operations.Audit;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * The archive runs of one {@link ConversationActor}: messages older than
 * {@code parley.archive.after} move to the cold tier (S3), one segment per run, in an order that
 * survives a crash between any two steps: (1) the segment object is written; (2)
 * {@link SegmentArchived} is persisted, from which point reads take those seqs from S3; (3) a
 * snapshot holding it is saved; (4) the journal events below the first hot message are deleted;
 * (5) {@link JournalTrimmed} records that. A crash before (2) leaves an unrecorded object that the
 * retry overwrites (its key depends only on where the segment starts); a crash after (2) resumes
 * at (3) on recovery. Reads never see a seq twice or miss one: a seq is read from S3 exactly when
 * the state says it is cold. Each step's result comes back to the conversation as a command,
 * which hands it here, so the conversation's state is only ever changed by its own events, in
 * order.
 *
 * <p>This decides when a run is due, what it moves ({@link ArchivePlan}) and what it records; the
 * writes to S3, the calendar and the crash hook are the {@link ColdArchive}'s (the archive
 * package), which never sees this conversation's state or events.
 *
 * <p>What a run has in flight is not state: a run cut short is started again, and the persisted
 * state says where it must resume.
 */
final class ArchiveRuns {
  // Each step's result, piped to the entity: never stored. `run` tells results of the current run
  // from late ones of a run cut short by a restart.
  record ArchiveLoaded(long run, long fromSeq, long cutoffTs, List<ConversationJournal.Written> loaded)
      implements Command {}

  record SegmentWritten(long run, String key) implements Command {}

  record ArchiveFailed(long run, String step, String cause) implements Command {}

  record TrimFinished(long throughSeqNr, boolean deleted) implements Command {}

  private final String conversationId;
  private final ActorContext<Command> ctx;
  private final EffectFactories<Event, State> effects;
  private final LongSupplier lastSequenceNr;
  private final ConversationJournal journal;
  private final ColdArchive archive;
  private final ColdArchive.Rules rules;
  private final Clock clock;

  private long archiveRun;
  /** What the run in flight is writing to S3; recorded once the write is done. */
  private ArchivePlan planInFlight;
  private boolean archiveInFlight;
  private boolean awaitingSnapshot;
  private boolean trimInFlight;
  private long snapshotSeenSeqNr;
  private long archiveNotBeforeMillis;

  ArchiveRuns(
      String conversationId,
      ActorContext<Command> ctx,
      EffectFactories<Event, State> effects,
      LongSupplier lastSequenceNr,
      ConversationJournal journal,
      ColdArchive archive,
      Clock clock) {
    this.conversationId = conversationId;
    this.ctx = ctx;
    this.effects = effects;
    this.lastSequenceNr = lastSequenceNr;
    this.journal = journal;
    this.archive = archive;
    this.rules = archive.rules();
    this.clock = clock;
  }

  /** The conversation recovered; the object outlives a restart after a journal failure, so any
   *  run cut short is forgotten. */
  void recovered() {
    archiveRun++;
    archiveInFlight = false;
    awaitingSnapshot = false;
    trimInFlight = false;
    snapshotSeenSeqNr = 0;
    planInFlight = null;
  }

  /** Nothing in flight: the conversation may go to sleep. */
  boolean idle() {
    return !archiveInFlight && !trimInFlight && !awaitingSnapshot;
  }

  /** The step that is due on the conversation's tick, if it needs a write; others start here. */
  Optional<Effect<Event, State>> onTick(Active active) {
    if (!rules.enabled()) {
      return Optional.empty();
    }
    if (trimDue(active) && !trimInFlight && !awaitingSnapshot) {
      if (snapshotSeenSeqNr > active.trimThrough) {
        startTrim(active);
      } else {
        // Recovered with a segment recorded but its events not deleted: snapshot first.
        ctx.getLog().info("Resuming the trim of {} through event {}", Audit.digest(conversationId), active.trimThrough);
        awaitingSnapshot = true;
        return Optional.of(effects.persist(new TrimResumed(active.trimThrough)));
      }
    } else if (!archiveInFlight && !trimDue(active) && archiveDue(active)) {
      startArchive(active);
    }
    return Optional.empty();
  }

  /** Step 3 may start once a snapshot holds the recorded segment. */
  void snapshotted(State state, long sequenceNr) {
    awaitingSnapshot = false;
    snapshotSeenSeqNr = Math.max(snapshotSeenSeqNr, sequenceNr);
    if (state instanceof Active active && trimDue(active)) {
      startTrim(active);
    }
  }

  void snapshotFailed(Throwable failure) {
    // The next tick asks for another snapshot; nothing is deleted without one.
    awaitingSnapshot = false;
    ctx.getLog().warn("Snapshot of {} failed: {}", conversationId, failure.toString());
  }

  /** Going to sleep with messages still hot: the archive calendar wakes the conversation. */
  void beforeSleeping(State state) {
    if (rules.enabled() && state instanceof Active active && active.cold.archivedThrough() < active.lastSeq) {
      remindToArchive(active);
    }
  }

  /**
   * A run starts once the oldest hot message is older than the threshold plus the batch window,
   * so that each run moves a window's worth of messages rather than a few at every tick.
   * Conversations asleep when their messages age are archived on their next wake-up.
   */
  private boolean archiveDue(Active state) {
    if (state.cold.archivedThrough() >= state.lastSeq) {
      return false;
    }
    long now = clock.millis();
    return now >= archiveNotBeforeMillis && dueAt(state.oldestHotTs) < now;
  }

  private static boolean trimDue(Active state) {
    return state.trimThrough > state.trimmedThrough;
  }

  /** Step 0: read the oldest hot messages, one more than a segment holds. */
  private void startArchive(Active state) {
    archiveInFlight = true;
    long run = ++archiveRun;
    long from = state.cold.archivedThrough() + 1;
    long to = Math.min(state.lastSeq, from + rules.segmentMaxMessages());
    long cutoff = clock.millis() - rules.after().toMillis();
    ctx.pipeToSelf(
        journal.readWritten(conversationId, state.index.locate(from, to, lastSequenceNr.getAsLong()), from, to),
        (loaded, failure) -> failure == null
            ? new ArchiveLoaded(run, from, cutoff, loaded)
            : new ArchiveFailed(run, "reading the journal", failure.toString()));
  }

  /** Step 1: write what is old enough to S3. */
  Effect<Event, State> onLoaded(Active state, ArchiveLoaded loaded) {
    if (loaded.run() != archiveRun) {
      return effects.none();
    }
    Optional<ArchivePlan> plan;
    try {
      plan = ArchivePlan.of(loaded.loaded(), loaded.fromSeq(), loaded.cutoffTs(), rules.segmentMaxMessages());
    } catch (IllegalStateException incomplete) {
      return onFailed(new ArchiveFailed(loaded.run(), "planning", incomplete.getMessage()));
    }
    if (plan.isEmpty() || loaded.fromSeq() != state.cold.archivedThrough() + 1) {
      archiveInFlight = false;
      // Nothing old enough yet (the recorded oldest timestamp was unknown or a lower bound).
      archiveNotBeforeMillis = dueAt(ArchivePlan.firstTs(loaded.loaded()));
      return effects.none();
    }
    ArchivePlan p = plan.get();
    planInFlight = p;
    ctx.pipeToSelf(
        archive.write(conversationId, p.segment(), p.messages()),
        (key, failure) -> failure == null
            ? new SegmentWritten(loaded.run(), key)
            : new ArchiveFailed(loaded.run(), "writing the segment to S3", failure.toString()));
    return effects.none();
  }

  /** Step 2: record the segment; from now on reads take its seqs from S3. */
  Effect<Event, State> onSegmentWritten(Active state, SegmentWritten written) {
    archive.reached(Step.S3_WRITTEN, conversationId);
    ArchivePlan p = planInFlight;
    if (written.run() != archiveRun || p == null || p.segment().fromSeq() != state.cold.archivedThrough() + 1) {
      return effects.none(); // a late result: recording it would not continue the archive
    }
    Segment segment = p.segment();
    planInFlight = null;
    boolean hotRemain = state.lastSeq > segment.toSeq();
    long keepFromSeqNr;
    long nextHotTs;
    if (p.nextHotWriteSeqNr() > 0) {
      keepFromSeqNr = p.nextHotWriteSeqNr();
      nextHotTs = p.nextHotTs();
    } else if (!hotRemain) {
      // Everything is cold: every event before this one may go.
      keepFromSeqNr = lastSequenceNr.getAsLong() + 1;
      nextHotTs = 0;
    } else {
      // Messages arrived after the read: keep from the index's checkpoint for the first of them;
      // its timestamp is at least the last archived one.
      keepFromSeqNr = state.index.startFor(segment.toSeq() + 1);
      nextHotTs = p.lastArchivedTs();
    }
    awaitingSnapshot = true;
    return effects
        .persist(new SegmentArchived(segment.fromSeq(), segment.toSeq(), written.key(), nextHotTs, keepFromSeqNr))
        .thenRun(newState -> {
          archive.reached(Step.PERSISTED, conversationId);
          archiveInFlight = false;
          // A digest, not the id: a direct conversation's id names its two users (no user ids in logs).
          ctx.getLog().info("Archived messages {}..{} of {}", segment.fromSeq(), segment.toSeq(),
              Audit.digest(conversationId));
          // A run cut short may have left an object for a shorter range from the same start.
          org.slf4j.Logger log = ctx.getLog(); // the context is the actor's own: not asked off its thread
          archive.removeStrays(conversationId, segment).whenComplete((removed, failure) -> {
            if (failure != null) {
              log.warn("Could not remove stray segments of {} from {}: {}",
                  conversationId, segment.fromSeq(), failure.toString());
            }
          });
        });
  }

  /** Step 3 (after the snapshot): delete the archived prefix of the journal. */
  private void startTrim(Active state) {
    archive.reached(Step.SNAPSHOTTED, conversationId);
    trimInFlight = true;
    long through = state.trimThrough;
    Adapter.actorOf(ctx, JournalEraser.events(
        ConversationActor.persistenceId(conversationId).id(), through, Adapter.toClassic(ctx.getSelf()),
        new TrimFinished(through, true), new TrimFinished(through, false)));
  }

  /** Step 4: record the deletion. */
  Effect<Event, State> onTrimFinished(TrimFinished trimmed) {
    trimInFlight = false;
    if (!trimmed.deleted()) {
      return effects.none(); // the next tick tries again
    }
    ctx.getLog().info("Deleted the archived events of {} through {}", Audit.digest(conversationId),
        trimmed.throughSeqNr());
    archive.reached(Step.DELETED, conversationId);
    return effects.persist(new JournalTrimmed(trimmed.throughSeqNr()));
  }

  Effect<Event, State> onFailed(ArchiveFailed failed) {
    if (failed.run() != archiveRun) {
      return effects.none();
    }
    archiveInFlight = false;
    ctx.getLog().warn("Archive run of {} failed {}: {}; it is retried", conversationId, failed.step(), failed.cause());
    return effects.none();
  }

  /**
   * Asleep, this conversation would keep its messages hot until someone wrote to it again: the
   * archive calendar wakes it when its next run is due (in a future slot, so a conversation woken
   * but not yet due, after a run that failed, sleeps a slot before it is woken again).
   */
  private void remindToArchive(Active state) {
    archive.remindAt(conversationId, dueAt(state.oldestHotTs));
  }

  /** When a run is due whose oldest message was sent at {@code oldestTs}. */
  private long dueAt(long oldestTs) {
    return oldestTs + rules.after().toMillis() + rules.batchWindow().toMillis();
  }
}
