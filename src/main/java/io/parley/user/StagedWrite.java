package io.parley.user;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationInfo;
import io.parley.push.PushToken;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One group-committed write of a {@link UserActor}: the events its commands decided, in order,
 * and what to do once they are stored. The state changes only when the write is stored, so a
 * later command of the same write decides against what earlier ones staged here (how far a
 * conversation is stored, the next cursor, a read mark, the push tokens).
 *
 * <p>Read marks are cumulative, so a later one replaces an earlier one staged for the same
 * conversation instead of adding an event. A push token already (or no longer) registered as of
 * this write adds no event.
 */
final class StagedWrite {
  private final UserState state;
  private final List<UserActor.Event> events = new ArrayList<>();
  private final List<Consumer<UserState>> afterWrite = new ArrayList<>();
  private final List<Runnable> ifRefused = new ArrayList<>();
  private final Map<String, Long> storedThrough = new HashMap<>();
  private final Map<String, Integer> readEventAt = new HashMap<>();
  private long bytes;
  private long nextCursor;
  private LinkedHashSet<PushToken> pushTokens;

  StagedWrite(UserState state) {
    this.state = state;
    this.nextCursor = state.nextCursor;
  }

  List<UserActor.Event> events() {
    return events;
  }

  /**
   * One write is one journal item, which DynamoDB caps at 400 KB: past this bound the remaining
   * commands wait for the next write. An empty write is never full, so every command is written.
   */
  boolean full() {
    return bytes >= MAX_BYTES;
  }

  static final long MAX_BYTES = 256 * 1024;

  void add(UserActor.Event event) {
    events.add(event);
    bytes += approximateBytes(event);
  }

  /** An upper bound of an event's stored size (UTF-8 takes at most 3 bytes per Java char). */
  static long approximateBytes(UserActor.Event event) {
    if (event instanceof UserActor.MessagesStored stored) {
      long items = stored.items().stream()
          .mapToLong(item -> 3L * (item.conversationId().length() + item.senderId().length()) + ITEM_OVERHEAD)
          .sum();
      return EVENT_OVERHEAD + items + bytes(stored.info()) + 3L * stored.preview().length();
    }
    if (event instanceof UserActor.NoticeStored stored) {
      PendingQueue.Item item = stored.item();
      return EVENT_OVERHEAD + 3L * (item.conversationId().length() + item.senderId().length()) + ITEM_OVERHEAD;
    }
    if (event instanceof UserActor.PreviewDeleted gone && gone.tombstones() != null) {
      return EVENT_OVERHEAD + 20L * gone.tombstones().size(); // a long in JSON, with its comma
    }
    if (event instanceof UserActor.MembershipChanged changed) {
      return EVENT_OVERHEAD + bytes(changed.info());
    }
    return EVENT_OVERHEAD;
  }

  private static final long EVENT_OVERHEAD = 256;
  private static final long ITEM_OVERHEAD = 96;

  private static long bytes(ConversationInfo info) {
    if (info == null) {
      return 0;
    }
    long members = info.members().stream().mapToLong(member -> 3L * member.length() + 4).sum();
    return members + 3L * (info.conversationId().length() + (info.title() == null ? 0 : info.title().length())) + 64;
  }

  /**
   * Whether the stored inbox holds the membership {@code fingerprint} names (title and members,
   * whether it keeps the list or only its size). 0 (a hand-off from an older node) never matches.
   */
  boolean inboxHolds(String conversationId, long fingerprint) {
    return fingerprint != 0 && heldFingerprint(conversationId) == fingerprint;
  }

  /** The membership the stored inbox holds for the conversation (0: none, or not known). */
  long heldFingerprint(String conversationId) {
    return state.inbox.get(conversationId).map(Inbox.Entry::fingerprint).orElse(0L);
  }

  void then(Consumer<UserState> action) {
    afterWrite.add(action);
  }

  void runAfterWrite(UserState stored) {
    afterWrite.forEach(action -> action.accept(stored));
  }

  /**
   * {@code replyTo} is told ok once the write is stored, or unavailable at once if the journal
   * refuses it (then the entity restarts, and the client retries {@code what}).
   */
  void answer(ActorRef<Outcome<Done>> replyTo, String what) {
    then(stored -> replyTo.tell(Outcome.ok(Done.INSTANCE)));
    ifRefused(() -> replyTo.tell(Outcome.rejected(Outcome.Reason.UNAVAILABLE, "could not store " + what + " now; retry")));
  }

  /** What to do instead of the {@link #then} steps if the journal refuses the write. */
  void ifRefused(Runnable action) {
    ifRefused.add(action);
  }

  /** The journal refused the write: runs what {@link #ifRefused} and {@link #answer} left for it. */
  void refused() {
    ifRefused.forEach(Runnable::run);
  }

  long storedThrough(String conversationId) {
    return storedThrough.getOrDefault(conversationId, state.storedThrough.getOrDefault(conversationId, 0L));
  }

  /** Stages {@code items} (contiguous, after what is stored); returns the cursor of the first. */
  long addItems(UserActor.MessagesStored stored) {
    long first = nextCursor;
    nextCursor += stored.items().size();
    PendingQueue.Item last = stored.items().get(stored.items().size() - 1);
    storedThrough.put(last.conversationId(), last.seq());
    add(stored);
    return first;
  }

  /** Stages a receipt item after what is staged; returns its cursor. */
  long addNotice(UserActor.NoticeStored stored) {
    add(stored);
    return nextCursor++;
  }

  long readSeq(String conversationId, long stored) {
    Integer at = readEventAt.get(conversationId);
    return at == null ? stored : ((UserActor.ConversationRead) events.get(at)).seq();
  }

  void read(UserActor.ConversationRead read) {
    Integer at = readEventAt.get(read.conversationId());
    if (at != null) {
      events.set(at, read);
    } else {
      readEventAt.put(read.conversationId(), events.size());
      add(read);
    }
  }

  /** A token registered again becomes the newest, so that the limit drops the tokens not registered for longest. */
  void registerPushToken(PushToken token) {
    LinkedHashSet<PushToken> tokens = pushTokens();
    if (tokens.isEmpty() || !token.equals(tokens.stream().reduce((first, second) -> second).orElseThrow())) {
      tokens.remove(token);
      tokens.add(token);
      add(new UserActor.PushTokenAdded(token));
    }
  }

  void unregisterPushToken(PushToken token) {
    if (pushTokens().remove(token)) {
      add(new UserActor.PushTokenRemoved(token));
    }
  }

  /** The push tokens as this write leaves them (a copy, made on first use). */
  private LinkedHashSet<PushToken> pushTokens() {
    if (pushTokens == null) {
      pushTokens = new LinkedHashSet<>(state.pushTokens);
    }
    return pushTokens;
  }
}
