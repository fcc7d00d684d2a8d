package io.parley.media;

import com.typesafe.config.Config;
import java.time.Duration;

/** How long an upload may stay unsent before it is deleted, and how often that is looked for ({@code parley.media.unsent}). */
public record UnsentMediaSettings(Duration expireAfter, Duration sweepEvery) {
  public static UnsentMediaSettings from(Config config) {
    Config c = config.getConfig("parley.media.unsent");
    return new UnsentMediaSettings(c.getDuration("expire-after"), c.getDuration("sweep-every"));
  }
}
