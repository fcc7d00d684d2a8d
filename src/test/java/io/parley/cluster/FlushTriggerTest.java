package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** One flush message at a time, for WriteBatch's entities and ConversationWrites alike. */
class FlushTriggerTest {

  @Test
  void oneFlushIsScheduledUntilItArrives() {
    FlushTrigger trigger = new FlushTrigger();
    assertTrue(trigger.schedule(), "the first write sends the flush");
    assertFalse(trigger.schedule(), "later writes join the flush on its way");
    trigger.flushing();
    assertTrue(trigger.schedule(), "after it arrived, the next write sends another");
  }

  @Test
  void writeBatchSchedulesThroughTheTrigger() {
    WriteBatch<String> batch = new WriteBatch<>();
    assertTrue(batch.add("a"));
    assertFalse(batch.add("b"));
    assertFalse(batch.needsFlush(), "a flush is already on its way");
    assertEquals("a", batch.poll());
    assertTrue(batch.needsFlush(), "b still waits and no flush is on its way");
    assertFalse(batch.needsFlush());
    assertEquals("b", batch.poll());
    assertNull(batch.poll());
    assertFalse(batch.needsFlush(), "nothing waits");
    assertTrue(batch.add("c"));
  }
}
