package io.parley.gateway.socket;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The start refuses a pekko-http other than the one the socket's use of its internals was written on. */
class PekkoHttpInternalsTest {
  @Test
  void thePekkoHttpOnTheClassPathPasses() {
    assertDoesNotThrow(() -> PekkoHttpInternals.check());
  }

  @Test
  void anotherReleaseIsRefusedInOneLineThatSaysWhereToRead() {
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> PekkoHttpInternals.check("1.3.1"));
    assertEquals("pekko-http is not the 1.3.0 whose internals Parley's socket is built on (it is 1.3.1); see "
        + "docs/operations.md on upgrading pekko-http", refused.getMessage());
  }

  /** Bumping pekko-http in the pom fails here first: read the socket against the new release, then move the pin. */
  @Test
  void thePinIsThePomsVersion() throws Exception {
    Matcher version = Pattern.compile("<pekko-http.version>([^<]+)</pekko-http.version>")
        .matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(version.find());
    assertEquals(version.group(1), PekkoHttpInternals.PINNED_VERSION);
  }
}
