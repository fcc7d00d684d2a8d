package io.parley.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SealedTextTest {
  private final ContentKey alice = ContentKey.generate("alice");

  @Test
  void aSealedTextNamesItsKeyAndOpensOnlyWithItAtItsPlace() {
    String stored = SealedText.seal(alice, "Climbing", ContentKey.titlePlace("g.1"));
    assertFalse(stored.contains("Climbing"), stored);
    SealedText sealed = SealedText.parse(stored).orElseThrow();
    assertEquals("alice", sealed.userId());
    assertEquals(alice.keyId(), sealed.keyId());

    assertEquals(Optional.of("Climbing"), sealed.open(alice, ContentKey.titlePlace("g.1")));
    assertEquals(Optional.empty(), sealed.open(alice, ContentKey.titlePlace("g.2")), "another group's place");
    assertEquals(Optional.empty(), sealed.open(alice, ContentKey.invitePlace("g.1")), "an invite's place");
    assertEquals(Optional.empty(), sealed.open(ContentKey.generate("alice"), ContentKey.titlePlace("g.1")),
        "alice's key after an erasure");
  }

  @Test
  void aTitleStoredBeforeTitlesWereSealedIsPlainText() {
    assertFalse(SealedText.isSealed("Climbing"));
    assertFalse(SealedText.isSealed(null));
    assertFalse(SealedText.isSealed(""));
    assertFalse(SealedText.isSealed("\u0001only one mark"), "a mark without the key's parts");
    assertTrue(SealedText.isSealed(SealedText.seal(alice, "", ContentKey.titlePlace("g.1"))));
  }
}
