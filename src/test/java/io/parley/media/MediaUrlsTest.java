package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MediaUrlsTest {
  @Test
  void idsAre128RandomBitsAndTheirUrlsParseBack() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = MediaUrls.newId();
      assertTrue(MediaUrls.isValidId(id), id);
      assertEquals(Optional.of(id), MediaUrls.idOf(MediaUrls.url(id)));
      ids.add(id);
    }
    assertEquals(1000, ids.size());
    assertEquals("/v1/media/AAAAAAAAAAAAAAAAAAAAAA", MediaUrls.url("AAAAAAAAAAAAAAAAAAAAAA"));
  }

  @Test
  void onlyOurOwnMediaUrlsAreMediaContent() {
    String id = MediaUrls.newId();
    for (String other : new String[] {
        null, "", "hi", "https://example.com/cat.png", "/v1/media/", "/v1/media/short",
        "/v1/media/" + id + "/x", "/v1/media/" + id + "?a=b", "https://parley.example/v1/media/" + id,
        " /v1/media/" + id, "/v1/media/" + id.substring(1) + "%", "/v1/media/../inbox/xxxxxxxxxxxxx"}) {
      assertEquals(Optional.empty(), MediaUrls.idOf(other), String.valueOf(other));
    }
  }
}
