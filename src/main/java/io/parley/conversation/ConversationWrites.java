package io.parley.conversation;

import io.parley.cluster.EventBatches;
import io.parley.cluster.FlushTrigger;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.conversation.ConversationActor.Batch;
import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationActor.DedupSpilled;
import io.parley.conversation.ConversationActor.DirectStarted;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.HandoffsConfirmed;
import io.parley.conversation.ConversationActor.MessagesAccepted;
import io.parley.conversation.ConversationActor.ReceiptsRecorded;
import io.parley.conversation.ConversationActor.Send;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.State;
import io.parley.conversation.DedupOverflow.DedupLookedUp;
import io.parley.conversation.DedupOverflow.DedupSpillFailed;
import io.parley.conversation.DedupOverflow.DedupSpillStored;
import io.parley.metrics.ParleyMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * The conversation's send path: sends, receipts and hand-off confirmations that arrive while a
 * write is in flight wait (Pekko stashes commands during a write), and the next {@link Flush}
 * stores them together in one write, after looking up in the dedup table any idempotency keys
 * the state no longer holds. Sends are acked, and receipts sent, once the write is stored.
 */
final class ConversationWrites {
  /** Sent to itself: the waiting sends and receipts go in the next write. */
  enum Flush implements Command {
    INSTANCE
  }

  /** Where freshly stored messages go: to the members (see ConversationJobs#fanOut). */
  interface FanOut {
    void stored(Active state, List<StoredMessage> stored, List<SendBatch.Mentions> mentions);
  }

  private final String conversationId;
  private final ActorContext<Command> ctx;
  private final EffectFactories<Event, State> effects;
  private final LongSupplier lastSequenceNr;
  private final MemberHandoffs handoffs;
  private final FanOut fanOut;
  private final DedupOverflow dedupOverflow;
  private final Membership membership;
  private final ConversationSettings settings;
  private final Clock clock;

  // Not state: what waits for the next write.
  private final SendBatch sends;
  private final ReceiptsWaiting receipts;
  private final FlushTrigger flushTrigger = new FlushTrigger();
  private final KnownMembers known;
  private List<Send> inFlight = List.of(); // the sends of the write being stored

  ConversationWrites(String conversationId, ActorContext<Command> ctx, EffectFactories<Event, State> effects,
      LongSupplier lastSequenceNr, Recipients recipients, MemberHandoffs handoffs,
      FanOut fanOut, DedupOverflow dedupOverflow,
      Membership membership, ConversationSettings settings, Clock clock, KnownMembers known) {
    this.conversationId = conversationId;
    this.ctx = ctx;
    this.effects = effects;
    this.lastSequenceNr = lastSequenceNr;
    this.sends = new SendBatch(settings.maxBufferedSends());
    this.receipts = new ReceiptsWaiting(conversationId, recipients);
    this.handoffs = handoffs;
    this.fanOut = fanOut;
    this.dedupOverflow = dedupOverflow;
    this.membership = membership;
    this.settings = settings;
    this.clock = clock;
    this.known = known;
  }

  Effect<Event, State> send(State state, Send cmd) {
    if (!sends.offer(cmd)) {
      cmd.replyTo().tell(Outcome.rejected(Reason.UNAVAILABLE, conversationId + " is overloaded, retry later"));
      return effects.none();
    }
    scheduleFlush();
    return effects.none();
  }

  /** A receipt that tells nobody anything rides along with the next write, or the tick's. */
  Effect<Event, State> receipt(Active state, String userId, ReceiptStatus status, long seq) {
    if (receipts.offer(state, userId, status, seq, clock.millis())) {
      scheduleFlush();
    }
    return effects.none();
  }

  /**
   * The write being stored failed, and the entity restarts (Pekko keeps the commands that arrived
   * meanwhile for the restarted entity): its sends are told at once, rather than left to the
   * gateway's timeout. The client retries each under its id, and a write that was stored after all
   * (a journal that timed out) answers the retry as a repeat.
   */
  void writeFailed() {
    inFlight.forEach(send -> send.replyTo().tell(Outcome.rejected(Reason.UNAVAILABLE,
        "could not store " + send.clientMsgId() + " in " + conversationId + " now; retry")));
    inFlight = List.of();
  }

  /** Nothing waits for a write: no sends, no receipts. */
  boolean nothingWaiting() {
    return sends.isEmpty() && receipts.isEmpty();
  }

  boolean receiptsWaitedAtLeast(long millis, long now) {
    return receipts.waitedAtLeast(millis, now);
  }

  void scheduleFlush() {
    if (flushTrigger.schedule()) {
      ctx.getSelf().tell(Flush.INSTANCE);
    }
  }

  /**
   * One write: the waiting sends that fit it, the receipts and the hand-off confirmations. Sends
   * are acked, and receipts sent, once it is stored.
   */
  Effect<Event, State> flush(State state, Flush flush) {
    flushTrigger.flushing();
    if (dedupOverflow.lookingUp()) {
      return effects.none(); // the lookup's answer flushes again
    }
    List<Send> taken = sends.takeForOneWrite();
    if (state instanceof Active active) {
      Map<Long, SpilledKeys.Whereabouts> keys = dedupOverflow.keysToLookUp(active, taken, clock.millis());
      if (!keys.isEmpty()) {
        dedupOverflow.lookUp(taken, keys);
        return effects.none();
      }
    }
    if (!sends.isEmpty()) {
      scheduleFlush();
    }
    return write(state, taken, Map.of());
  }

  /** The sends of a write came back from the dedup table: repeats among them get their first ack. */
  Effect<Event, State> lookedUp(Active state, DedupLookedUp lookedUp) {
    dedupOverflow.lookedUp();
    if (!sends.isEmpty()) {
      scheduleFlush();
    }
    if (lookedUp.failure() != null) {
      ctx.getLog().warn("Could not look up idempotency keys of {}: {}", conversationId, lookedUp.failure());
      lookedUp.sends().forEach(send -> send.replyTo().tell(
          Outcome.rejected(Reason.UNAVAILABLE, "could not check " + send.clientMsgId() + " for a repeat; retry")));
      return effects.none();
    }
    return write(state, lookedUp.sends(), lookedUp.found());
  }

  /** Keys moved to the dedup table: the state forgets them, once no lookup relies on them. */
  Effect<Event, State> spillStored(Active state, DedupSpillStored stored) {
    if (dedupOverflow.lookingUp()) {
      // The sends being looked up were checked against the keys the state holds: those keys
      // stay until the sends are numbered.
      dedupOverflow.deferUntilLookedUp(stored);
      return effects.none();
    }
    dedupOverflow.spillFinished();
    return effects.persist(new DedupSpilled(stored.throughSeq(), stored.untilTs(), settings.dedupWindow().toMillis(),
        stored.generation()));
  }

  Effect<Event, State> spillFailed(Active state, DedupSpillFailed failed) {
    dedupOverflow.spillFailed(failed.cause());
    return effects.none();
  }

  /** One write of {@code taken} sends (with the keys found in the dedup table), receipts and confirmations. */
  private Effect<Event, State> write(State state, List<Send> taken, Map<Long, DedupWindow.Entry> spilled) {
    ParleyMetrics.groupCommit(ConversationActor.TYPE_KEY.name(), taken.size() + receipts.size());
    List<Event> events = new ArrayList<>();
    Active active;
    if (state instanceof Active existing) {
      active = existing;
    } else {
      receipts.clear(); // nothing stored yet: nothing to receipt
      Optional<DirectStarted> started = membership.directStartedBy(taken);
      if (started.isEmpty()) {
        return effects.none();
      }
      events.add(started.get());
      active = new Active(null, started.get().members());
    }
    SendBatch.Numbered numbered = SendBatch.number(conversationId, active, known, taken, spilled, clock.millis());
    List<StoredMessage> stored = numbered.stored();
    if (!stored.isEmpty()) {
      events.add(new MessagesAccepted(stored, lastSequenceNr.getAsLong() + 1,
          settings.dedupWindow().toMillis(), dedupOverflow.hardBound()));
    }
    ReceiptsWaiting.Taken receipted = receipts.take(active);
    if (!receipted.receipts().isEmpty()) {
      events.add(new ReceiptsRecorded(receipted.receipts()));
    }
    if (!events.isEmpty() && handoffs.hasConfirmationsToPersist()) {
      // Confirmations ride along with a write that happens anyway.
      events.add(new HandoffsConfirmed(handoffs.takeConfirmations()));
    }
    if (events.isEmpty()) {
      numbered.replies().forEach(Runnable::run);
      return effects.none();
    }
    long writeStarted = System.nanoTime();
    inFlight = taken;
    return effects
        .persist(EventBatches.persistable(events, Batch::new))
        .thenRun((State newState) -> {
          inFlight = List.of();
          numbered.replies().forEach(Runnable::run);
          // Persisted before it is sent: a crash in between loses a receipt rather than repeating one.
          receipted.notices().forEach(Runnable::run);
          ParleyMetrics.persisted(Duration.ofNanos(System.nanoTime() - writeStarted));
          ParleyMetrics.messagesAccepted(stored.size());
          if (!stored.isEmpty()) {
            fanOut.stored((Active) newState, stored, numbered.mentions());
            dedupOverflow.spillIfFull((Active) newState);
          }
        });
  }
}
