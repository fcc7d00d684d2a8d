package io.parley.limits;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How long a client's request may wait on entities before it is answered {@code unavailable}.
 * A send waits longer than other requests: under overload it is queued behind the writes ahead
 * of it, and answering it early only makes the client send it again into the same queue (the
 * retry is stored once, but costs a second trip and a dedup lookup). Overload thus shows as
 * latency, and {@code unavailable} means the wait really ran out: a node gone, a store failing.
 */
public record RequestTimeouts(Duration ask, Duration send) {
  public static RequestTimeouts from(Config gateway) {
    return new RequestTimeouts(gateway.getDuration("ask-timeout"), gateway.getDuration("send-timeout"));
  }
}
