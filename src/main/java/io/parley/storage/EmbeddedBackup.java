package io.parley.storage;

import com.typesafe.config.Config;
import io.parley.store.EmbeddedStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;

/**
 * An online copy of a node's embedded stores, in {@code <data dir>/backups/<time>/}: the embedded
 * store's database (consistent, taken while it serves) and then the embedded S3's files. In that
 * order every object the database copy refers to is in the files copy: objects are written once,
 * before the rows that name them.
 */
public final class EmbeddedBackup {
  private static final DateTimeFormatter NAME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private EmbeddedBackup() {}

  /** Takes the copy; the directory it is in. Nothing embedded to copy is an error. */
  public static Path take(Config config, Clock clock) {
    Path dataDir = Path.of(config.getString("parley.data-dir"));
    boolean dynamo = config.getBoolean("parley.dynamodb.embedded");
    boolean s3 = config.getBoolean("parley.s3.embedded");
    if (!dynamo && !s3) {
      throw new IllegalStateException("this node runs no embedded store: back up DynamoDB and S3 with their own tools");
    }
    Path target = dataDir.resolve("backups").resolve(NAME.format(clock.instant()));
    if (dynamo) {
      EmbeddedDynamoDb store = EmbeddedDynamoDb.running(config.getString("dynamodb-journal.endpoint"))
          .orElseThrow(() -> new IllegalStateException("the embedded store is not running in this JVM"));
      store.backupTo(target.resolve("dynamodb").resolve(EmbeddedStore.DATABASE_FILE));
    }
    if (s3) {
      copyTree(dataDir.resolve("s3"), target.resolve("s3"));
    }
    return target;
  }

  private static void copyTree(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path copy = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (IOException failed) {
      throw new UncheckedIOException("copying the embedded S3's files failed", failed);
    }
  }
}
