package io.parley.archive;

import io.parley.conversation.ChatMessage;
import io.parley.conversation.ColdArchive;
import io.parley.conversation.Segment;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The I/O of conversations' archive runs, for every conversation of a node: segments to S3
 * through the {@link ColdTier}, reminders in the {@link ArchiveCalendar}, the {@link CrashHook}.
 * What to archive and when is the conversation's own decision ({@code conversation.ArchiveRuns}).
 */
public final class ArchiveIo implements ColdArchive {
  private final ColdTier cold;
  private final ArchiveCalendars calendars;
  private final ArchiveSettings settings;
  private final Rules rules;
  private final Clock clock;

  public ArchiveIo(ColdTier cold, ArchiveCalendars calendars, ArchiveSettings settings, Clock clock) {
    this.cold = cold;
    this.calendars = calendars;
    this.settings = settings;
    this.rules = new Rules(settings.enabled(), settings.after(), settings.batchWindow(), settings.segmentMaxMessages());
    this.clock = clock;
  }

  @Override
  public Rules rules() {
    return rules;
  }

  @Override
  public CompletionStage<String> write(String conversationId, Segment segment, List<ChatMessage> messages) {
    return cold.write(conversationId, segment, messages);
  }

  @Override
  public CompletionStage<Integer> removeStrays(String conversationId, Segment recorded) {
    return cold.removeStrays(conversationId, recorded);
  }

  /**
   * Always a future slot, so a conversation woken but not yet due (a run that failed) sleeps a
   * slot before it is woken again.
   */
  @Override
  public void remindAt(String conversationId, long dueAtMillis) {
    long slotMillis = settings.calendarSlot().toMillis();
    long dueAt = Math.max(dueAtMillis, clock.millis() + slotMillis);
    String page = ArchiveCalendar.pageId(dueAt / slotMillis, conversationId, settings.calendarBuckets());
    calendars.archiveCalendar(page).tell(new ArchiveCalendar.Remind(conversationId));
  }

  @Override
  public void reached(Step step, String conversationId) {
    settings.crashHook().after(step, conversationId);
  }
}
