package io.parley.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files uploads are kept in while they arrive: a slow upload then holds a file and a socket,
 * not the ~15 MiB of heap a multipart upload to the bucket holds. Each file is deleted once its
 * upload is stored or refused; what a crashed node left is deleted when the next one starts (the
 * data dir is one node's).
 */
final class UploadFiles {
  private static final Logger log = LoggerFactory.getLogger(UploadFiles.class);
  private static final String SUFFIX = ".upload";

  private final Path dir;

  private UploadFiles(Path dir) {
    this.dir = dir;
  }

  /** The files in {@code dir}, made if missing, emptied of a former run's. */
  static UploadFiles in(Path dir) {
    try {
      Files.createDirectories(dir);
      List<Path> left;
      try (Stream<Path> files = Files.list(dir)) {
        left = files.filter(file -> file.getFileName().toString().endsWith(SUFFIX)).toList();
      }
      for (Path file : left) {
        Files.deleteIfExists(file);
      }
      if (!left.isEmpty()) {
        log.info("Deleted {} unfinished upload(s) a former run left in {}", left.size(), dir);
      }
      return new UploadFiles(dir);
    } catch (IOException e) {
      // The root cause is what a failed start prints: say there what the directory is for.
      throw new UncheckedIOException(new IOException("uploads are kept in " + dir
          + " while they arrive, and it cannot be made or emptied (" + e.getClass().getSimpleName() + ": "
          + e.getMessage() + ")"));
    }
  }

  /** Where the upload {@code mediaId} is kept while it arrives. */
  Path of(String mediaId) {
    return dir.resolve(mediaId + SUFFIX);
  }

  /** Bytes the directory's file system has free for this JVM; 0 if it cannot be read. */
  long usableBytes() {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      log.warn("Could not read the free space of {}: {}", dir, e.toString());
      return 0;
    }
  }

  /** Deletes {@code file} if it is there; a failure is logged (the next start deletes it). */
  void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("Could not delete the upload file {}: {}", file, e.toString());
    }
  }
}
