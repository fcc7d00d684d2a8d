package io.parley.push;

import com.typesafe.config.Config;
import java.time.Duration;

/** How pushes are coalesced, queued, retried and cut off, from {@code parley.push}. */
public record PushSettings(
    Duration gatherDelay,
    Duration coalesceWindow,
    int queueSize,
    int parallelism,
    int maxAttempts,
    Duration minBackoff,
    Duration maxBackoff,
    double backoffJitter,
    Duration callTimeout,
    int breakerMaxFailures,
    Duration breakerResetTimeout,
    Duration tokenEvidenceWindow) {

  public static PushSettings from(Config config) {
    Config c = config.getConfig("parley.push");
    return new PushSettings(
        c.getDuration("gather-delay"),
        c.getDuration("coalesce-window"),
        c.getInt("queue-size"),
        c.getInt("parallelism"),
        c.getInt("max-attempts"),
        c.getDuration("min-backoff"),
        c.getDuration("max-backoff"),
        c.getDouble("backoff-jitter"),
        c.getDuration("call-timeout"),
        c.getInt("breaker.max-failures"),
        c.getDuration("breaker.reset-timeout"),
        c.getDuration("token-evidence-window"));
  }
}
