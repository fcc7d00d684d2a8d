package io.parley.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class OpenedContentTest {
  private final OpenedContent opened = new OpenedContent();
  private final ContentKey alice = ContentKey.generate("alice");

  @Test
  void contentAnswersOnlyForItsKeyAndPlace() {
    String place = ContentKey.messagePlace("d:alice:bob", "c-1");
    opened.put(alice, place, "sealed-1", "hello");

    assertEquals("hello", opened.get(alice, place, "sealed-1"));
    assertNull(opened.get(alice, ContentKey.messagePlace("d:alice:bob", "c-2"), "sealed-1"), "another place");
    assertNull(opened.get(ContentKey.generate("alice"), place, "sealed-1"), "alice's key after an erasure");
    assertNull(opened.get(ContentKey.of("mallory", alice.keyId(), alice.secretBytes()), place, "sealed-1"),
        "the same key id claimed by another user");
    assertNull(opened.get(alice, place, "sealed-2"), "other sealed content");
  }

  @Test
  void largeContentIsNotKept() {
    String place = ContentKey.messagePlace("d:alice:bob", "c-1");
    String large = "x".repeat(OpenedContent.LARGEST);
    opened.put(alice, place, "sealed-large", large);

    assertNull(opened.get(alice, place, "sealed-large"));
  }

  @Test
  void contentSharingASlotWithNewerContentIsNoLongerKnownAndNeverTakenForIt() {
    String place = ContentKey.messagePlace("d:alice:bob", "c-1");
    String first = "sealed-0";
    String second = first;
    for (int i = 1; OpenedContent.slot(second) != OpenedContent.slot(first) || second.equals(first); i++) {
      second = "sealed-" + i;
    }
    assertNotEquals(first, second);
    opened.put(alice, place, first, "first");
    opened.put(alice, place, second, "second");

    assertNull(opened.get(alice, place, first));
    assertEquals("second", opened.get(alice, place, second));
  }
}
