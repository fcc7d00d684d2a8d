package io.parley.conversation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The cold tier as a conversation's {@link ArchiveRuns} use it: the I/O of a run, none of its
 * decisions. {@code archive.ArchiveIo} implements it (S3 through {@code archive.ColdTier}, the
 * archive calendar, the crash hook); the archive package never sees the entity's state or events.
 */
public interface ColdArchive {

  /**
   * When messages move, from {@code parley.archive}: a run starts once the oldest hot message is
   * older than {@code after + batchWindow}, and moves what is older than {@code after}, at most
   * {@code segmentMaxMessages} at a time.
   */
  record Rules(boolean enabled, Duration after, Duration batchWindow, int segmentMaxMessages) {}

  /** The steps of an archive run, in order; {@code configName} is how {@code crash-after} names one. */
  enum Step {
    /** The segment object is in S3; the conversation has not recorded it. */
    S3_WRITTEN("s3-written"),
    /** {@code SegmentArchived} is in the journal; no snapshot holds it yet. */
    PERSISTED("persisted"),
    /** A snapshot holds the archived range; the journal events are not deleted yet. */
    SNAPSHOTTED("snapshotted"),
    /** The journal events are deleted; {@code JournalTrimmed} is not recorded yet. */
    DELETED("deleted");

    public final String configName;

    Step(String configName) {
      this.configName = configName;
    }
  }

  Rules rules();

  /** Stores {@code messages} (exactly the segment's seqs, ascending) and returns the key. */
  CompletionStage<String> write(String conversationId, Segment segment, List<ChatMessage> messages);

  /** Deletes objects of runs cut short that start where {@code recorded} starts. */
  CompletionStage<Integer> removeStrays(String conversationId, Segment recorded);

  /**
   * The conversation goes to sleep with messages still hot: wake it once a run is due at
   * {@code dueAtMillis}, and not before a later slot of the calendar.
   */
  void remindAt(String conversationId, long dueAtMillis);

  /** A run finished {@code step} (a test hook may halt the node here; see {@code archive.CrashHook}). */
  void reached(Step step, String conversationId);
}
