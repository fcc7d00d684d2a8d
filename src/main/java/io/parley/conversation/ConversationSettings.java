package io.parley.conversation;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The ConversationActor's limits, from {@code parley.conversation}. A group of
 * {@code largeGroupFrom} members or more is large: its members are rows outside its state and
 * its messages are relayed live rather than handed to every member (see {@link LargeMembers}).
 */
public record ConversationSettings(
    int maxContentChars,
    int maxGroupMembers,
    Duration dedupWindow,
    int dedupMaxEntries,
    int maxBufferedSends,
    Duration handoffRetryInterval,
    Duration passivateAfterIdle,
    int snapshotEvery,
    int largeGroupFrom) {

  public static ConversationSettings from(Config config) {
    Config c = config.getConfig("parley.conversation");
    return new ConversationSettings(
        c.getInt("max-content-chars"),
        c.getInt("max-group-members"),
        c.getDuration("dedup-window"),
        c.getInt("dedup-max-entries"),
        c.getInt("max-buffered-sends"),
        c.getDuration("handoff-retry-interval"),
        c.getDuration("passivate-after-idle"),
        c.getInt("snapshot-every"),
        c.getInt("large-group-from"));
  }
}
