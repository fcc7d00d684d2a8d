package io.parley.gateway.session;

import io.parley.user.DeviceEvent;
import io.parley.user.PendingReader;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Re-delivers a device's pending items in bulk, for its {@link Connection}: pages of the user's
 * pending items, each read by a {@link PendingReader} (references first, then their messages).
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
  record PageArrived(long run, PendingReader.Page page) {}

  /** A page whose messages were read, up to the first that could not be. */
  record PageLoaded(long run, int index, PendingReader.Items items) {}

  /** What a step of the replay yields for the connection; {@code problem}: why it could not go on (null: none). */
  record Step(List<DeviceEvent.StreamItem> items, boolean finished, String problem) {
    static final Step NOTHING = new Step(List.of(), false, null);

    boolean unreadable() {
      return problem != null;
    }
  }

  private final String userId;
  private final PendingReader reader;
  private final ActorContext<Object> ctx;
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

  PendingReplay(String userId, PendingReader reader, ActorContext<Object> ctx, Object onNoAnswer,
      BooleanSupplier socketHasRoom) {
    this.userId = userId;
    this.reader = reader;
    this.ctx = ctx;
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
    PendingReader.Page page = arrived.page();
    nextAfter = page.more() && !page.isEmpty() ? page.lastCursor() : -1;
    if (!page.isEmpty()) {
      int index = nextIndex++;
      loading++;
      long thisRun = run;
      ctx.pipeToSelf(reader.read(page), (items, failure) ->
          new PageLoaded(thisRun, index,
              failure == null ? items : new PendingReader.Items(List.of(), "reading the page failed: " + failure)));
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
    List<DeviceEvent.StreamItem> ready = new ArrayList<>();
    while (loaded.containsKey(nextToHandOut)) {
      PendingReader.Items next = loaded.remove(nextToHandOut++).items();
      ready.addAll(next.items());
      if (!next.complete()) {
        abandon();
        return new Step(ready, true, next.problem());
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

  private Step finishedIfDone(List<DeviceEvent.StreamItem> ready) {
    boolean done = !pageRequested && nextAfter < 0 && loading == 0 && loaded.isEmpty();
    if (done) {
      active = false;
    }
    return new Step(ready, done, null);
  }

  private void requestPage(long afterCursor) {
    pageRequested = true;
    long thisRun = run;
    ctx.pipeToSelf(reader.page(userId, afterCursor, PAGE),
        (page, failure) -> page != null ? new PageArrived(thisRun, page) : onNoAnswer);
  }
}
