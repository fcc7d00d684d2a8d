package io.parley;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The data dir, made and proven writable before any store opens files in it. */
final class DataDir {
  private DataDir() {}

  static Path prepare(Path dir) {
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
      Files.delete(probe);
      return dir;
    } catch (IOException | SecurityException cannot) {
      throw new StartupFailure.Refusal("the data dir " + dir + " cannot be written (" + cannot
          + "): set PARLEY_DATA_DIR to a directory this user can write", cannot);
    }
  }
}
