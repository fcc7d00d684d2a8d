package io.parley.archive;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The cold tier's knobs, from {@code parley.archive}.
 *
 * <p>{@code after} is the age at which a message leaves DynamoDB. A conversation starts a run
 * only once its oldest hot message is older than {@code after + batchWindow}, and then moves
 * everything older than {@code after}: each run makes one segment of about a window's worth of
 * messages, which keeps the number of segments (and so the conversation's state) small.
 *
 * <p>A conversation that passivates with messages still hot leaves a reminder in the
 * {@link ArchiveCalendar} page of the {@code calendarSlot} its next run falls due in.
 */
public record ArchiveSettings(
    boolean enabled,
    Duration after,
    Duration batchWindow,
    int segmentMaxMessages,
    int cacheSegments,
    Duration calendarSlot,
    int calendarBuckets,
    CrashHook crashHook) {

  public static ArchiveSettings from(Config config) {
    Config c = config.getConfig("parley.archive");
    return new ArchiveSettings(
        c.getBoolean("enabled"),
        c.getDuration("after"),
        c.getDuration("batch-window"),
        c.getInt("segment-max-messages"),
        c.getInt("cache-segments"),
        c.getDuration("calendar-slot"),
        c.getInt("calendar-buckets"),
        CrashHook.parse(c.getString("crash-after")));
  }
}
