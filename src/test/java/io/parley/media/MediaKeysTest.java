package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MediaKeysTest {
  static final String MEDIA_ID = "AAAAAAAAAAAAAAAAAAAAAA";

  @Test
  void aNewObjectIsUnderItsUploadersPrefixWhateverCharactersTheIdHolds() {
    for (String uploader : List.of("alice", "", "a/b", "../..", "d:a:b", "ünï cödé ✓", "x".repeat(5000))) {
      String key = MediaKeys.objectKey(uploader, MEDIA_ID);
      String prefix = MediaKeys.uploaderPrefix(uploader);
      assertEquals(prefix + MEDIA_ID, key);
      assertTrue(prefix.matches("media/u/[A-Za-z0-9_-]{43}/"), prefix);
      assertEquals(prefix, MediaKeys.uploaderPrefix(uploader), "the same every time");
    }
    // SHA-256("alice"), base64url without padding.
    assertEquals("media/u/K9gGyX8OAK8aH8Myj6djqSaXI8jbj6xPk69x2xhtbpA/", MediaKeys.uploaderPrefix("alice"));
  }

  @Test
  void noUploadersPrefixHoldsAnotherUploadersObjects() {
    // Raw ids would nest: "a/" is a prefix of "a/b/". Digests of equal length never do.
    List<String> uploaders = List.of("a", "a/b", "a/", "ab", "A", "a ");
    for (String one : uploaders) {
      for (String other : uploaders) {
        if (!one.equals(other)) {
          assertFalse(MediaKeys.objectKey(other, MEDIA_ID).startsWith(MediaKeys.uploaderPrefix(one)), one + " / " + other);
          assertNotEquals(MediaKeys.uploaderKey(one), MediaKeys.uploaderKey(other));
        }
      }
    }
  }

  @Test
  void mediaThatRecordedNoKeyIsLookedForAtTheLegacyKeyFirst() {
    var legacy = new MediaActor.Media("alice", "image/png", 1, 0, List.of(), null);
    assertEquals(List.of("media/" + MEDIA_ID, MediaKeys.objectKey("alice", MEDIA_ID)),
        MediaKeys.storedKeys(MEDIA_ID, legacy));
    var current = new MediaActor.Media("alice", "image/png", 1, 0, List.of(), MediaKeys.objectKey("alice", MEDIA_ID));
    assertEquals(List.of(MediaKeys.objectKey("alice", MEDIA_ID)), MediaKeys.storedKeys(MEDIA_ID, current));
  }
}
