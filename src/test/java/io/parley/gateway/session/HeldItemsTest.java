package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.conversation.ChatMessage;
import io.parley.user.DeviceEvent;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class HeldItemsTest {
  @Test
  void itemsAreHeldInCursorOrderUpToTheBoundAndADropIsReportedOnce() {
    HeldItems held = new HeldItems();
    held.hold(item(3));
    held.hold(item(1));
    held.hold(item(3));
    assertEquals(List.of(1L, 3L), held.takeAll().stream().map(DeviceEvent.StreamItem::cursor).toList());
    assertTrue(held.takeAll().isEmpty());
    assertFalse(held.takeDropped());

    LongStream.rangeClosed(1, HeldItems.MAX + 5).forEach(cursor -> held.hold(item(cursor)));
    assertEquals(HeldItems.MAX, held.takeAll().size());
    assertTrue(held.takeDropped(), "what did not fit is left for another re-delivery");
    assertFalse(held.takeDropped());
  }

  private static DeviceEvent.MsgNew item(long cursor) {
    return new DeviceEvent.MsgNew(cursor, new ChatMessage("d:a:b", cursor, "m", "a", "c", "x", "text", 1));
  }
}
