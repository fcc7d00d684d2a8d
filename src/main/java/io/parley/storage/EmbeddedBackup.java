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
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An online copy of a node's embedded stores, in {@code <data dir>/backups/<time>/}: the embedded
 * store's database (consistent, taken while it serves) and then the embedded S3's files. In that
 * order every object the database copy refers to is in the files copy: objects are written once,
 * before the rows that name them. The copy is made under {@code <time>.partial} and gets its name
 * only once whole; a copy that fails is deleted, and one a node left when it stopped during it is
 * deleted by the next backup. One that would leave less free disk than
 * {@code parley.media.disk-reserve} is not begun: the data dir's disk is the live store's. A node
 * takes one at a time: two at once would each find room for one copy and together take it all.
 */
public final class EmbeddedBackup {
  private static final DateTimeFormatter NAME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** A backup not begun because the data dir's disk has no room for it beside the reserve. */
  public static final class NoRoom extends IllegalStateException {
    NoRoom(String message) {
      super(message);
    }
  }

  /** A backup not begun because another of the same data dir is being taken. */
  public static final class InProgress extends IllegalStateException {
    InProgress(String message) {
      super(message);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(EmbeddedBackup.class);
  private static final String PARTIAL = ".partial";
  private static final Set<Path> TAKING = ConcurrentHashMap.newKeySet();

  private EmbeddedBackup() {}

  /** Takes the copy; the directory it is in. Nothing embedded to copy is an error. */
  public static Path take(Config config, Clock clock) {
    return take(config, clock, () -> {});
  }

  /** {@link #take(Config, Clock)}, running {@code whileTaking} before the copy, once this backup holds the data dir. */
  static Path take(Config config, Clock clock, Runnable whileTaking) {
    Path dataDir = Path.of(config.getString("parley.data-dir"));
    boolean dynamo = config.getBoolean("parley.dynamodb.embedded");
    boolean s3 = config.getBoolean("parley.s3.embedded");
    if (!dynamo && !s3) {
      throw new IllegalStateException("this node runs no embedded store: back up DynamoDB and S3 with their own tools");
    }
    Path key = dataDir.toAbsolutePath().normalize();
    if (!TAKING.add(key)) {
      throw new InProgress("a backup of " + dataDir + " is being taken: wait for its answer, then ask again");
    }
    try {
      Path backups = dataDir.resolve("backups");
      deleteLeftPartials(backups);
      requireRoom(dataDir, (dynamo ? bytesOf(dataDir.resolve("dynamodb")) : 0) + (s3 ? bytesOf(dataDir.resolve("s3")) : 0),
          config.getBytes("parley.media.disk-reserve"));
      String name = NAME.format(clock.instant());
      return copy(config, dataDir, dynamo, s3, backups.resolve(name + PARTIAL), backups.resolve(name), whileTaking);
    } finally {
      TAKING.remove(key);
    }
  }

  /** What a node that stopped during a backup left: only this node takes its data dir's backups. */
  private static void deleteLeftPartials(Path backups) {
    if (!Files.isDirectory(backups)) {
      return;
    }
    try (Stream<Path> entries = Files.list(backups)) {
      for (Path left : (Iterable<Path>) entries.filter(entry -> entry.getFileName().toString().endsWith(PARTIAL))::iterator) {
        IllegalStateException reported = new IllegalStateException("cannot delete " + left);
        deleteTree(left, reported);
        if (reported.getSuppressed().length > 0) {
          throw reported;
        }
        log.info("Deleted {}, a backup left unfinished when the node stopped during it", left);
      }
    } catch (IOException unreadable) {
      throw new UncheckedIOException("cannot list " + backups, unreadable);
    }
  }

  private static Path copy(Config config, Path dataDir, boolean dynamo, boolean s3, Path partial, Path target,
      Runnable whileTaking) {
    try {
      whileTaking.run();
      if (dynamo) {
        EmbeddedDynamoDb store = EmbeddedDynamoDb.running(config.getString("dynamodb-journal.endpoint"))
            .orElseThrow(() -> new IllegalStateException("the embedded store is not running in this JVM"));
        store.backupTo(partial.resolve("dynamodb").resolve(EmbeddedStore.DATABASE_FILE));
      }
      if (s3) {
        copyTree(dataDir.resolve("s3"), partial.resolve("s3"));
      }
      Files.createDirectories(partial);
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException failed) {
      deleteTree(partial, failed);
      throw new IllegalStateException("the backup failed and nothing of it was kept (" + failed.getMessage() + ")", failed);
    }
    return target;
  }

  private static void requireRoom(Path dataDir, long needed, long reserve) {
    long usable;
    try {
      usable = Files.getFileStore(dataDir).getUsableSpace();
    } catch (IOException unreadable) {
      throw new UncheckedIOException("cannot tell the free disk of " + dataDir, unreadable);
    }
    if (usable - needed < reserve) {
      throw new NoRoom("a backup of the embedded stores needs about " + needed + " bytes, and " + usable
          + " are free in " + dataDir + ": it would leave less than the " + reserve
          + " bytes kept free for the live store (PARLEY_MEDIA_DISK_RESERVE); free disk space first");
    }
  }

  /** The bytes of the files under {@code dir} (none if it does not exist): at most what their copy takes. */
  private static long bytesOf(Path dir) {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(file -> {
        try {
          return Files.size(file);
        } catch (IOException gone) {
          return 0; // deleted meanwhile
        }
      }).sum();
    } catch (IOException | UncheckedIOException unreadable) {
      throw new IllegalStateException("cannot tell the size of " + dir + ": " + unreadable.getMessage(), unreadable);
    }
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

  private static void deleteTree(Path dir, Exception reported) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(file);
      }
    } catch (IOException | UncheckedIOException undeletable) {
      reported.addSuppressed(undeletable);
    }
  }
}
