package io.parley.conversation;

import io.parley.cluster.EntityLifecycle;
import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.HandoffsConfirmed;
import io.parley.conversation.ConversationActor.MembershipSettled;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.State;
import java.time.Clock;
import java.util.Optional;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * The conversation's periodic {@link Tick}: what no command triggers is done here (persisting
 * confirmations of hand-offs and deletion notices, re-sending what members have not confirmed,
 * moving old messages to the cold tier), and the conversation goes to sleep once idle with
 * nothing left owed.
 */
final class Upkeep {
  /** Sent by the entity's timer. */
  enum Tick implements Command {
    INSTANCE
  }

  private final EffectFactories<Event, State> effects;
  private final ConversationWrites writes;
  private final MemberHandoffs handoffs;
  private final DeletionNotices deletionNotices;
  private final MembershipNotices memberships;
  private final ArchiveRuns archiving;
  private final DedupOverflow dedupOverflow;
  private final LargeMembers large;
  private final GroupRelays relays;
  private final ReceiptTally tally;
  private final EntityLifecycle<State> lifecycle;
  private final ConversationSettings settings;
  private final Clock clock;
  private long lastActivityMillis;

  Upkeep(EffectFactories<Event, State> effects, ConversationWrites writes, MemberHandoffs handoffs,
      DeletionNotices deletionNotices, MembershipNotices memberships, ArchiveRuns archiving,
      DedupOverflow dedupOverflow, LargeMembers large, GroupRelays relays, ReceiptTally tally,
      EntityLifecycle<State> lifecycle, ConversationSettings settings, Clock clock) {
    this.effects = effects;
    this.writes = writes;
    this.handoffs = handoffs;
    this.deletionNotices = deletionNotices;
    this.memberships = memberships;
    this.archiving = archiving;
    this.dedupOverflow = dedupOverflow;
    this.large = large;
    this.relays = relays;
    this.tally = tally;
    this.lifecycle = lifecycle;
    this.settings = settings;
    this.clock = clock;
    this.lastActivityMillis = clock.millis();
  }

  /** A member sent a command (see {@code ConversationJobs.touch}): the conversation stays awake. */
  void touch() {
    lastActivityMillis = clock.millis();
  }

  Effect<Event, State> tick(State state, Tick tick) {
    if (!(state instanceof Active active)) {
      return idle() ? passivate(state) : effects.none();
    }
    dedupOverflow.spillIfFull(active);
    // The archive goes first: in a busy conversation something else is always due.
    Optional<Effect<Event, State>> archiveStep = archiving.onTick(active);
    if (writes.receiptsWaitedAtLeast(settings.handoffRetryInterval().toMillis(), clock.millis())) {
      writes.scheduleFlush(); // receipts that waited long enough for a write; it carries the confirmations too
    } else if (archiveStep.isEmpty() && handoffs.hasConfirmationsToPersist()) {
      return effects.persist(new HandoffsConfirmed(handoffs.takeConfirmations()))
          .thenRun(newState -> handoffs.retry((Active) newState));
    } else if (archiveStep.isEmpty() && deletionNotices.hasSettled(active)) {
      return effects.persist(deletionNotices.takeSettled(active))
          .thenRun(newState -> deletionNotices.retry((Active) newState));
    }
    handoffs.retry(active);
    deletionNotices.retry(active);
    memberships.retry(active);
    large.writeNext(active);
    relays.tick();
    if (archiveStep.isPresent()) {
      return archiveStep.get();
    }
    if (!tally.idle()) {
      return tally.store(); // a large group's receipt counts, once per tick
    }
    if (active.membershipOwed() && !memberships.indexAsked()) {
      // A direct conversation's start (it tells no one), or members from before the index.
      memberships.index(active);
    } else if (active.membershipOwed() && memberships.settled()) {
      return effects.persist(new MembershipSettled());
    }
    // A large group with members connected stays awake: their relays hear it live.
    if (idle() && handoffs.allHandedOff(active) && deletionNotices.settled(active) && memberships.settled()
        && archiving.idle() && large.idle() && tally.idle()
        && !relays.any()) {
      return passivate(active);
    }
    return effects.none();
  }

  private boolean idle() {
    return writes.nothingWaiting()
        && clock.millis() - lastActivityMillis >= settings.passivateAfterIdle().toMillis();
  }

  private Effect<Event, State> passivate(State state) {
    archiving.beforeSleeping(state);
    lifecycle.passivate();
    return effects.none();
  }
}
