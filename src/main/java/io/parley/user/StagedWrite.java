package io.parley.user;

import io.parley.push.PushToken;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One group-committed write of a {@link UserActor}: the events its commands decided, in order,
 * and what to do once they are stored. The state changes only when the write is stored, so a
 * later command of the same write decides against what earlier ones staged here (how far a
 * conversation is stored, the next cursor, a read mark, the push tokens).
 *
 * <p>Read marks are cumulative, so a later one replaces an earlier one staged for the same
 * conversation instead of adding an event.
 */
final class StagedWrite {
  private final UserActor.State state;
  private final List<UserActor.Event> events = new ArrayList<>();
  private final List<Consumer<UserActor.State>> afterWrite = new ArrayList<>();
  private final Map<String, Long> storedThrough = new HashMap<>();
  private final Map<String, Integer> readEventAt = new HashMap<>();
  private long nextCursor;
  private LinkedHashSet<PushToken> pushTokens;

  StagedWrite(UserActor.State state) {
    this.state = state;
    this.nextCursor = state.nextCursor;
  }

  List<UserActor.Event> events() {
    return events;
  }

  int size() {
    return events.size();
  }

  void add(UserActor.Event event) {
    events.add(event);
  }

  void then(Consumer<UserActor.State> action) {
    afterWrite.add(action);
  }

  void runAfterWrite(UserActor.State stored) {
    afterWrite.forEach(action -> action.accept(stored));
  }

  long storedThrough(String conversationId) {
    return storedThrough.getOrDefault(conversationId, state.storedThrough.getOrDefault(conversationId, 0L));
  }

  /** Stages {@code items} (contiguous, after what is stored); returns the cursor of the first. */
  long addItems(UserActor.MessagesStored stored) {
    long first = nextCursor;
    nextCursor += stored.items().size();
    storedThrough.put(stored.info().conversationId(), stored.items().get(stored.items().size() - 1).seq());
    events.add(stored);
    return first;
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
      events.add(read);
    }
  }

  /** The push tokens as this write leaves them (a copy, made on first use). */
  LinkedHashSet<PushToken> pushTokens() {
    if (pushTokens == null) {
      pushTokens = new LinkedHashSet<>(state.pushTokens);
    }
    return pushTokens;
  }
}
