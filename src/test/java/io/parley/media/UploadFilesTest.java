package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upload files live in their directory until their upload ends; a former run's are deleted at start. */
class UploadFilesTest {
  @TempDir Path temp;

  @Test
  void theDirectoryIsMadeAndAFormerRunsUploadsAreDeletedAndNothingElse() throws Exception {
    Path dir = temp.resolve("data").resolve("uploads");
    assertTrue(UploadFiles.in(dir).of("first").startsWith(dir), "made where there was none");

    Files.writeString(UploadFiles.in(dir).of("crashed"), "a body a killed node was receiving");
    Files.writeString(dir.resolve("notes.txt"), "not an upload");
    UploadFiles files = UploadFiles.in(dir);
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("notes.txt")), left.toList());
    }

    Path file = files.of("next");
    Files.writeString(file, "x");
    files.delete(file);
    assertFalse(Files.exists(file));
    files.delete(file); // already gone: nothing to do
  }

  @Test
  void aDirectoryThatCannotBeMadeStopsTheStartSayingWhatItIsFor() throws Exception {
    Path notADirectory = Files.writeString(temp.resolve("data"), "a file where the data dir should be");
    UncheckedIOException failure = assertThrows(UncheckedIOException.class,
        () -> UploadFiles.in(notADirectory.resolve("uploads")));
    assertTrue(failure.getCause().getMessage().startsWith(
        "uploads are kept in " + notADirectory.resolve("uploads") + " while they arrive, and it cannot be made or"
            + " emptied (FileSystemException: "),
        failure.getCause().getMessage());
    assertEquals(null, failure.getCause().getCause(), "the line a failed start prints is this one");
  }
}
