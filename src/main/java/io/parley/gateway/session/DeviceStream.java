package io.parley.gateway.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.gateway.WireFormat;
import io.parley.metrics.ParleyMetrics;
import io.parley.user.DeviceEvent;
import io.parley.user.UserActor;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;

/**
 * The device's stream items on one {@link Connection}: sent in cursor order and never twice. The
 * pending ones are re-delivered in bulk ({@link PendingReplay}) after hello and after every gap;
 * live items that arrive meanwhile are held and follow. Events that are not stream items wait
 * until the first re-delivery is out, since PROTOCOL.md puts everything pending right after hello.
 * Runs inside the connection actor.
 */
final class DeviceStream {
  /** About two minutes of retries (backing off to 8 s): long enough for a conversation to move. */
  static final int MAX_REPLAY_FAILURES = 18;

  /** Where the stream's frames go, and how the connection ends when the items stay unreadable. */
  interface Output {
    void send(DeviceEvent event);

    void send(ObjectNode frame);

    void close();
  }

  private final String userId;
  private final PendingReplay replay;
  private final Output out;
  private final TimerScheduler<Object> timers;
  /** The timer message that starts a re-delivery again after one could not read its items. */
  private final Object retryReplay;
  private final Duration retryAfter;
  private final Clock clock;
  private final Logger log;

  private long lastCursorSent = -1; // unknown until registered
  /** The highest cursor the device acked on this connection. */
  private long ackedByDevice;
  /** The user's newest stored item as the last registration reported it. */
  private long storedAtLastRegistration = -1;
  /** Re-deliveries in a row that could not read their items; see {@link #replayed}. */
  private int replayFailures;
  private final HeldItems heldDuringReplay = new HeldItems();
  private final FrameGate afterBacklog = new FrameGate(HeldItems.MAX);

  DeviceStream(String userId, PendingReplay replay, Output out, TimerScheduler<Object> timers, Object retryReplay,
      Duration retryAfter, Clock clock, Logger log) {
    this.userId = userId;
    this.replay = replay;
    this.out = out;
    this.timers = timers;
    this.retryReplay = retryReplay;
    this.retryAfter = retryAfter;
    this.clock = clock;
    this.log = log;
  }

  /** Whether the stream started, that is, hello went out. */
  boolean started() {
    return lastCursorSent >= 0;
  }

  /** hello went out: items are sent from now on. */
  void start() {
    lastCursorSent = 0;
  }

  /**
   * The UserActor (re-)registered the connection. Only a registration that {@code missedNothing}
   * (the very UserActor run that already had the connection) needs no re-delivery, unless an item
   * stored a heartbeat ago is still not sent: a live item lost on its way, with no later one to show the gap.
   */
  void registered(UserActor.Connected connected, boolean missedNothing) {
    long acked = Math.max(connected.ackedCursor(), ackedByDevice);
    if (lastCursorSent < acked) {
      lastCursorSent = acked;
    }
    boolean tailLost = lastCursorSent < storedAtLastRegistration;
    storedAtLastRegistration = connected.lastCursor();
    if (!replay.isActive() && (!missedNothing || tailLost)) {
      replay.start(lastCursorSent);
    }
  }

  /** An event that is not a stream item: after the pending items. */
  void event(Runnable sending) {
    afterBacklog.send(sending);
  }

  void item(DeviceEvent.StreamItem item) {
    boolean replayDue = replay.isActive() || timers.isTimerActive(retryReplay);
    if (replayDue || lastCursorSent < 0) {
      heldDuringReplay.hold(item);
    } else if (item.cursor() == lastCursorSent + 1) {
      deliver(item);
    } else if (item.cursor() > lastCursorSent + 1) {
      heldDuringReplay.hold(item);
      replay.start(lastCursorSent);
    }
  }

  /** A re-delivery under way, or items held for it, skip what the device acked meanwhile. */
  void acked(long cursor) {
    ackedByDevice = Math.max(ackedByDevice, cursor);
    if (lastCursorSent >= 0 && lastCursorSent < ackedByDevice) {
      lastCursorSent = ackedByDevice;
    }
  }

  /** The retry timer fired. */
  void retry() {
    if (!replay.isActive()) {
      replay.start(lastCursorSent);
    }
  }

  /** The UserActor did not answer a page request: a re-delivery is tried again later. */
  void noAnswer() {
    replay.abandon();
    afterBacklog.open(); // live events need not wait for the retry
  }

  void pageArrived(PendingReplay.PageArrived page) {
    replayed(replay.onPage(page));
  }

  void pageLoaded(PendingReplay.PageLoaded page) {
    replayed(replay.onLoaded(page));
  }

  /** The socket took frames off its buffer: a page held back for it may be read now. */
  void socketDrained() {
    replay.resumeIfRoom();
  }

  private void replayed(PendingReplay.Step step) {
    step.items().forEach(this::deliverReplayed);
    if (step.unreadable()) {
      // Not readable now (storage busy or failing, or the conversation moving between nodes):
      // read again from the last item sent, backing off; never skip an item. Only a store that
      // stays unreadable for minutes closes the connection, so that the client reconnects later.
      replayFailures++;
      log.debug("Pending items of {} could not be loaded ({} times): {}", userId, replayFailures, step.problem());
      afterBacklog.open(); // live events need not wait for the retry
      if (replayFailures > MAX_REPLAY_FAILURES) {
        log.warn("Pending items of {} could not be loaded {} times ({}); closing connection", userId,
            replayFailures, step.problem());
        out.close();
      } else {
        timers.startSingleTimer(retryReplay, retryAfter.multipliedBy(1L << Math.min(replayFailures - 1, 4)));
      }
    } else if (step.finished()) {
      replayFailures = 0;
      heldDuringReplay.takeAll().forEach(this::item);
      if (heldDuringReplay.takeDropped() && !replay.isActive()) {
        replay.start(lastCursorSent); // for the items that did not fit
      }
      afterBacklog.open();
    }
  }

  /**
   * Re-delivered items follow each other; a cursor skipped is an item the user's queue no longer
   * holds although this device never acked it (its cap, or the device forgotten as inactive or
   * beyond the device limit). The device is told, so it can catch up from history.
   */
  private void deliverReplayed(DeviceEvent.StreamItem item) {
    if (lastCursorSent >= 0 && item.cursor() > lastCursorSent + 1) {
      out.send(WireFormat.pendingDropped(lastCursorSent + 1, item.cursor() - 1));
    }
    deliver(item);
  }

  private void deliver(DeviceEvent.StreamItem item) {
    if (item.cursor() > lastCursorSent) {
      if (item instanceof DeviceEvent.MsgNew message) {
        ParleyMetrics.messageDelivered(message.message().serverTs(), clock.millis());
      }
      if (!(item instanceof DeviceEvent.Covered)) {
        out.send(item);
      }
      lastCursorSent = item.cursor();
    }
  }
}
