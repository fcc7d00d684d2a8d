package io.parley.gateway;

import io.parley.cluster.Entities;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.MessageHistory;
import io.parley.user.DeviceEvent;
import io.parley.user.PendingQueue;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Re-delivers a device's pending items in bulk, for its {@link Connection}: pages of the user's
 * pending references, each joined to the stored messages with one ranged read per conversation.
 * While one page is read the next is already asked for and read too, so a long backlog streams
 * at the speed of the reads rather than of round trips; pages are handed out strictly in order.
 * No page is asked for while the socket is behind, so a slow client holds back the reads
 * instead of filling the server's memory.
 * Runs inside the connection actor (its messages come back through the actor's context).
 */
final class PendingReplay {
  static final int PAGE = 500;
  /** Pages read at once. */
  static final int PAGES_AHEAD = 2;

  /** The user's answer to a page request of one replay run. */
  record PageArrived(long run, UserActor.PendingPage page) {}

  /** A page whose messages were read (those that could not be are missing from the map). */
  record PageLoaded(long run, int index, List<UserActor.PendingDelivery> items, Map<String, ChatMessage> messages) {}

  /** What a step of the replay yields for the connection. */
  record Step(List<DeviceEvent.MsgNew> items, boolean finished, boolean unreadable) {
    static final Step NOTHING = new Step(List.of(), false, false);
  }

  private final String userId;
  private final Entities entities;
  private final MessageHistory history;
  private final ActorContext<Object> ctx;
  private final Duration askTimeout;
  private final Object onNoAnswer;
  private final BooleanSupplier socketHasRoom;

  private long run;
  private boolean active;
  private int nextIndex;
  private int nextToHandOut;
  private int loading;
  private boolean pageRequested;
  /** Where the next page starts, once the last one asked for said there is more; -1: none. */
  private long nextAfter = -1;
  private final TreeMap<Integer, PageLoaded> loaded = new TreeMap<>();

  PendingReplay(String userId, Entities entities, MessageHistory history, ActorContext<Object> ctx,
      Duration askTimeout, Object onNoAnswer, BooleanSupplier socketHasRoom) {
    this.userId = userId;
    this.entities = entities;
    this.history = history;
    this.ctx = ctx;
    this.askTimeout = askTimeout;
    this.onNoAnswer = onNoAnswer;
    this.socketHasRoom = socketHasRoom;
  }

  boolean isActive() {
    return active;
  }

  /** Starts a run from {@code afterCursor}; anything of an earlier run still under way is dropped. */
  void start(long afterCursor) {
    run++;
    active = true;
    nextIndex = 0;
    nextToHandOut = 0;
    loading = 0;
    nextAfter = -1;
    loaded.clear();
    requestPage(afterCursor);
  }

  /** The user did not answer: the run ends and the connection starts another later. */
  void abandon() {
    run++;
    active = false;
  }

  Step onPage(PageArrived arrived) {
    if (arrived.run() != run) {
      return Step.NOTHING;
    }
    pageRequested = false;
    List<UserActor.PendingDelivery> items = arrived.page().items();
    nextAfter = arrived.page().more() && !items.isEmpty() ? items.get(items.size() - 1).cursor() : -1;
    if (!items.isEmpty()) {
      int index = nextIndex++;
      loading++;
      long thisRun = run;
      ctx.pipeToSelf(loadMessages(items), (messages, failure) ->
          new PageLoaded(thisRun, index, items, failure == null ? messages : Map.of()));
    }
    requestAheadIfRoom();
    return finishedIfDone(List.of());
  }

  Step onLoaded(PageLoaded page) {
    if (page.run() != run) {
      return Step.NOTHING;
    }
    loading--;
    loaded.put(page.index(), page);
    List<DeviceEvent.MsgNew> ready = new ArrayList<>();
    while (loaded.containsKey(nextToHandOut)) {
      PageLoaded next = loaded.remove(nextToHandOut++);
      for (UserActor.PendingDelivery delivery : next.items()) {
        ChatMessage message = next.messages().get(key(delivery.item().conversationId(), delivery.item().seq()));
        if (message == null) {
          abandon();
          return new Step(ready, true, true);
        }
        ready.add(new DeviceEvent.MsgNew(delivery.cursor(), message));
      }
    }
    requestAheadIfRoom();
    return finishedIfDone(ready);
  }

  /** The socket drained some: a page held back for it may be asked for now. */
  void resumeIfRoom() {
    if (active) {
      requestAheadIfRoom();
    }
  }

  private void requestAheadIfRoom() {
    if (nextAfter >= 0 && !pageRequested && loading < PAGES_AHEAD && socketHasRoom.getAsBoolean()) {
      long after = nextAfter;
      nextAfter = -1;
      requestPage(after);
    }
  }

  private Step finishedIfDone(List<DeviceEvent.MsgNew> ready) {
    boolean done = !pageRequested && nextAfter < 0 && loading == 0 && loaded.isEmpty();
    if (done) {
      active = false;
    }
    return new Step(ready, done, false);
  }

  private void requestPage(long afterCursor) {
    pageRequested = true;
    long thisRun = run;
    ctx.ask(UserActor.PendingPage.class, entities.user(userId), askTimeout,
        replyTo -> new UserActor.GetPending(afterCursor, PAGE, replyTo),
        (page, failure) -> page != null ? new PageArrived(thisRun, page) : onNoAnswer);
  }

  /** The stored messages the items refer to, keyed by conversation and seq: a read per range. */
  private CompletionStage<Map<String, ChatMessage>> loadMessages(List<UserActor.PendingDelivery> items) {
    Map<String, long[]> ranges = new HashMap<>();
    for (UserActor.PendingDelivery delivery : items) {
      PendingQueue.Item item = delivery.item();
      ranges.merge(
          item.conversationId(),
          new long[] {item.seq(), item.seq()},
          (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }
    Map<String, ChatMessage> byKey = new ConcurrentHashMap<>();
    CompletableFuture<?>[] reads =
        ranges.entrySet().stream()
            .map(e -> history.messages(e.getKey(), e.getValue()[0], e.getValue()[1])
                .thenAccept(messages -> messages.forEach(m -> byKey.put(key(m.conversationId(), m.seq()), m)))
                .toCompletableFuture())
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(reads).thenApply(done -> byKey);
  }

  private static String key(String conversationId, long seq) {
    return conversationId + "\u0000" + seq;
  }
}
