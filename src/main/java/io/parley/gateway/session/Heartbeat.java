package io.parley.gateway.session;

import java.time.Duration;

/**
 * When a connection pings its client and when it gives up on a silent one: a beat every
 * heartbeat, and the socket closed once the client has been silent, pongs included, for twice the
 * heartbeat. One single-shot timer serves both: it fires at the next beat or, sooner, when the
 * client would turn idle. Each tick decides on one reading of the client's silence, and the next
 * delay follows from that same reading, so that the deadline agrees with the decision.
 */
public final class Heartbeat {
  /** The socket's side of the heartbeat. */
  public interface Liveness {
    void ping();

    /** How long since the client last sent a frame of any kind. */
    long silentMillis();

    void closeIdle(long silentMillis);
  }

  enum Decision {
    /** The client has been silent for twice the heartbeat. */
    CLOSE,
    /** A heartbeat is due: ping, and do the beat's work. */
    BEAT,
    /** An early tick (the client might have turned idle) that found it had not. */
    WAIT
  }

  private final long heartbeatMillis;
  /** Time left until the next beat, counted down by the ticks' delays. */
  private long untilBeatMillis;
  private long delayMillis;

  Heartbeat(Duration heartbeat) {
    this.heartbeatMillis = heartbeat.toMillis();
  }

  long heartbeatMillis() {
    return heartbeatMillis;
  }

  /** The first beat is a heartbeat away; {@link #delayMillis()} says when the first tick is. */
  void start(long silentMillis) {
    untilBeatMillis = heartbeatMillis;
    schedule(silentMillis);
  }

  /** A tick fired, {@link #delayMillis()} after the one before. After CLOSE there is no next tick. */
  Decision tick(long silentMillis) {
    untilBeatMillis -= delayMillis;
    if (silentMillis >= 2 * heartbeatMillis) {
      return Decision.CLOSE;
    }
    boolean beat = untilBeatMillis <= 0;
    if (beat) {
      untilBeatMillis = heartbeatMillis;
    }
    schedule(silentMillis);
    return beat ? Decision.BEAT : Decision.WAIT;
  }

  /** How long until the next tick. */
  long delayMillis() {
    return delayMillis;
  }

  private void schedule(long silentMillis) {
    delayMillis = Math.max(1, Math.min(untilBeatMillis, 2 * heartbeatMillis - silentMillis));
  }
}
