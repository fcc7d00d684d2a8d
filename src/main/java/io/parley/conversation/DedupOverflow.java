package io.parley.conversation;

import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationActor.Send;
import io.parley.conversation.ConversationState.Active;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Idempotency for the whole window at any volume. The state keeps at most
 * {@code dedup-max-entries} keys (a snapshot must fit one DynamoDB item); before it fills up, the
 * oldest keys move to the {@link DedupSpill}, and a send whose key the state does not hold is
 * looked up there only if the key may have moved ({@link SpilledKeys}). Neither changes the
 * state: results come back as commands, and a finished move is recorded by
 * {@link ConversationActor.DedupSpilled}.
 */
final class DedupOverflow {
  // Results of the dedup table's lookups and moves, piped to the entity: never stored.
  record DedupLookedUp(List<Send> sends, Map<Long, DedupWindow.Entry> found, String failure) implements Command {}

  record DedupSpillStored(long throughSeq, long untilTs, long generation) implements Command {}

  record DedupSpillFailed(String cause) implements Command {}

  /** Keys moved in one go: they are stored together, and their items must stay far below 400 KB. */
  static final int MOST_KEYS_MOVED = 10_000;

  private final String conversationId;
  private final ActorContext<Command> ctx;
  private final DedupSpill spill;
  private final long windowMillis;
  private final int maxEntries;

  private boolean spillInFlight;
  private boolean lookupInFlight;
  private DedupSpillStored storedDuringLookup;
  private final KnownMembers known;

  DedupOverflow(String conversationId, ActorContext<Command> ctx, DedupSpill spill, long windowMillis, int maxEntries,
      KnownMembers known) {
    this.conversationId = conversationId;
    this.ctx = ctx;
    this.spill = spill;
    this.windowMillis = windowMillis;
    this.maxEntries = maxEntries;
    this.known = known;
  }

  /** The conversation recovered: whatever was in flight is forgotten (and asked again). */
  void recovered() {
    spillInFlight = false;
    lookupInFlight = false;
    storedDuringLookup = null;
  }

  /**
   * The most keys the state may hold, recorded with each write: beyond it the oldest are
   * forgotten. With a spill it is twice the bound, room for the keys written while a move is in
   * flight; it is reached only if moves fail.
   */
  int hardBound() {
    return spill.enabled() ? 2 * maxEntries : maxEntries;
  }

  /** A lookup is in flight: no send may be numbered before its answer, to keep seq order. */
  boolean lookingUp() {
    return lookupInFlight;
  }

  /** The keys among {@code sends} that the state does not hold but the spill may, and where. */
  Map<Long, SpilledKeys.Whereabouts> keysToLookUp(Active state, List<Send> sends, long now) {
    Map<Long, SpilledKeys.Whereabouts> keys = new LinkedHashMap<>();
    if (!spill.enabled()) {
      return keys;
    }
    for (Send send : sends) {
      long key = DedupWindow.key(send.senderId(), send.clientMsgId());
      if (state.isMember(send.senderId(), known) && state.dedup.find(key).isEmpty()) {
        SpilledKeys.Whereabouts where = state.dedup.whereSpilled(key, now, windowMillis);
        if (!where.nowhere()) {
          keys.put(key, where);
        }
      }
    }
    return keys;
  }

  /** Looks the keys up; {@link DedupLookedUp} brings the sends back with what was found. */
  void lookUp(List<Send> sends, Map<Long, SpilledKeys.Whereabouts> keys) {
    lookupInFlight = true;
    ctx.pipeToSelf(spill.find(conversationId, keys), (found, failure) -> failure == null
        ? new DedupLookedUp(sends, found, null)
        : new DedupLookedUp(sends, Map.of(), failure.toString()));
  }

  void lookedUp() {
    lookupInFlight = false;
    if (storedDuringLookup != null) {
      ctx.getSelf().tell(storedDuringLookup); // handled once the looked-up sends are written
      storedDuringLookup = null;
    }
  }

  void deferUntilLookedUp(DedupSpillStored stored) {
    storedDuringLookup = stored;
  }

  /**
   * Once the state holds three quarters of its bound, moves its oldest keys out, down to half
   * (at most {@link #MOST_KEYS_MOVED} at a time). Called after each write and on each tick.
   */
  void spillIfFull(Active state) {
    int size = state.dedup.size();
    if (!spill.enabled() || spillInFlight || size <= maxEntries * 3 / 4) {
      return;
    }
    Map<Long, DedupWindow.Entry> oldest = state.dedup.oldest(Math.min(size - maxEntries / 2, MOST_KEYS_MOVED));
    long firstSeq = oldest.values().iterator().next().seq();
    long throughSeq = oldest.values().stream().mapToLong(DedupWindow.Entry::seq).max().orElseThrow();
    long untilTs = oldest.values().stream().mapToLong(DedupWindow.Entry::serverTs).max().orElseThrow();
    long generation = state.dedup.spillGeneration(firstSeq);
    spillInFlight = true;
    ctx.pipeToSelf(spill.store(conversationId, generation, oldest, untilTs + windowMillis), (done, failure) ->
        failure == null
            ? new DedupSpillStored(throughSeq, untilTs, generation)
            : new DedupSpillFailed(failure.toString()));
  }

  void spillFinished() {
    spillInFlight = false;
  }

  void spillFailed(String cause) {
    // The next tick tries again; until then the state holds the keys (up to its hard bound).
    spillInFlight = false;
    ctx.getLog().warn("Could not move idempotency keys of {} to the dedup table: {}", conversationId, cause);
  }
}
