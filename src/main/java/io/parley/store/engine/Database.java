package io.parley.store.engine;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.sqlite.SQLiteConfig;

/**
 * The store's SQLite database: one file in WAL mode with synchronous=FULL, so a committed
 * transaction is on disk before it is answered. One connection writes (see {@link GroupCommit});
 * a small pool of connections reads beside it, as WAL allows.
 *
 * <p>Rows ({@link Schema}): {@code tables} (a table's schema), {@code items} (table id, hash key
 * bytes, range key bytes, the item in {@link ItemCodec}'s form, its TTL expiry) and {@code entries}
 * (one per item in each secondary index that holds it, by index key then table key).
 */
final class Database implements AutoCloseable {
  static final String FILE_NAME = "parley-store.sqlite";
  private static final int READERS = 4;
  /** A new file's pages (SQLite's default): a row up to ~4 KB stays on one ({@link Schema}). */
  static final int PAGE_SIZE = 4096;

  static final String LOCK_FILE = "parley-store.lock";

  private final FileChannel lockFile;
  private final FileLock lock;
  private final String url;
  private final Sql writer;
  private final BlockingQueue<Sql> idleReaders = new ArrayBlockingQueue<>(READERS);
  private final List<Sql> readers = new ArrayList<>();

  Database(Path dir) throws SQLException {
    this(dir, StoreEngine.BUSY_TIMEOUT.toMillis());
  }

  /** {@code busyTimeoutMillis}: how long a connection waits for another's lock on the file before it fails. */
  Database(Path dir, long busyTimeoutMillis) throws SQLException {
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException unwritable) {
      throw new SQLException("Cannot create the store's directory " + dir, unwritable);
    }
    try {
      this.lockFile = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock held;
      try {
        held = lockFile.tryLock();
      } catch (OverlappingFileLockException heldInThisJvm) {
        held = null;
      }
      if (held == null) {
        lockFile.close();
        throw new SQLException("The store in " + dir + " is open already (in this or another process);"
            + " one store directory serves one process");
      }
      this.lock = held;
    } catch (java.io.IOException unlockable) {
      throw new SQLException("Cannot lock the store's directory " + dir, unlockable);
    }
    this.url = "jdbc:sqlite:" + dir.resolve(FILE_NAME);
    Sql opened = null;
    try {
      requireNativeLibrary();
      opened = new Sql(connect(url));
      opened.execute("PRAGMA page_size=" + PAGE_SIZE);
      opened.execute("PRAGMA journal_mode=WAL");
      opened.execute("PRAGMA synchronous=FULL");
      opened.execute("PRAGMA journal_size_limit=16777216"); // the WAL shrinks back after a checkpoint
      opened.execute("PRAGMA busy_timeout=" + busyTimeoutMillis);
      Schema.prepare(opened, dir.resolve(FILE_NAME));
      for (int i = 0; i < READERS; i++) {
        Sql reader = new Sql(connect(url));
        readers.add(reader);
        reader.execute("PRAGMA busy_timeout=" + busyTimeoutMillis);
        org.sqlite.Function.create(reader.connection(), SEGMENT_FUNCTION, new Segment());
        idleReaders.add(reader);
      }
    } catch (SQLException | RuntimeException failed) {
      // A store that cannot open lets go of its directory, so that it can be opened once fixed.
      for (Sql reader : readers) {
        closeQuietly(reader);
      }
      closeQuietly(opened);
      releaseLock();
      throw failed;
    }
    this.writer = opened;
  }

  private static void closeQuietly(Sql sql) {
    if (sql != null) {
      try {
        sql.close();
      } catch (SQLException ignored) {
        // Closing after a failure: the failure is what is reported.
      }
    }
  }

  private void releaseLock() {
    try {
      lock.release();
      lockFile.close();
    } catch (java.io.IOException ignored) {
      // The lock goes with the process anyway.
    }
  }

  /**
   * A connection to the store's file. The driver's default reads {@code last_insert_rowid()} with
   * a query of its own after every INSERT, for JDBC's generated keys: the store never asks for them.
   */
  private static Connection connect(String url) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setGetGeneratedKeys(false);
    return DriverManager.getConnection(url, config.toProperties());
  }

  /** SQLite's driver says only "Error opening connection" when it has no library for this platform. */
  private static void requireNativeLibrary() throws SQLException {
    boolean loaded;
    try {
      loaded = org.sqlite.SQLiteJDBCLoader.initialize();
    } catch (Exception | LinkageError missing) {
      loaded = false;
    }
    if (!loaded) {
      throw new SQLException("SQLite has no native library for " + System.getProperty("os.name") + " on "
          + System.getProperty("os.arch") + " in this build (it carries Linux, macOS and Windows on x86-64 and ARM64)");
    }
  }

  Sql writer() {
    return writer;
  }

  /** Runs {@code read} on a reader connection, waiting for one if all are busy. */
  <T> T read(SqlWork<T> read) {
    Sql reader;
    try {
      reader = idleReaders.take();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted waiting for a reader connection", interrupted);
    }
    try {
      return read.run(reader);
    } catch (SQLException failed) {
      reader.forgetPrepared();
      throw new IllegalStateException("Store read failed: " + failed.getMessage(), failed);
    } finally {
      idleReaders.add(reader);
    }
  }

  /**
   * Copies the database, consistent as of one instant, to {@code target} (which must not exist).
   * A copy that fails part way (a full disk) is deleted: it would look like a backup.
   */
  void backupTo(Path target) {
    Path journal = target.resolveSibling(target.getFileName() + "-journal");
    try {
      read(reader -> {
        try (var statement = reader.connection().prepareStatement("VACUUM INTO ?")) {
          statement.setString(1, target.toString());
          statement.execute();
        }
        return null;
      });
    } catch (RuntimeException failed) {
      try {
        Files.deleteIfExists(target);
        if (Files.isRegularFile(journal)) {
          Files.delete(journal);
        }
      } catch (java.io.IOException undeletable) {
        failed.addSuppressed(undeletable);
      }
      Throwable cause = failed.getCause() != null ? failed.getCause() : failed;
      throw new IllegalStateException("The backup to " + target + " failed, its partial copy deleted: "
          + cause.getMessage(), failed);
    }
  }

  /** The SQL function that puts a hash key into one of a parallel Scan's segments. */
  static final String SEGMENT_FUNCTION = "store_segment";

  /** {@code store_segment(hash key bytes, total segments)}: a segment number, the same for every item of a key. */
  private static final class Segment extends org.sqlite.Function {
    @Override
    protected void xFunc() throws SQLException {
      result(Math.floorMod(java.util.Arrays.hashCode(value_blob(0)) * 0x9E3779B1, value_int(1)));
    }
  }

  @FunctionalInterface
  interface SqlWork<T> {
    T run(Sql sql) throws SQLException;
  }

  @Override
  public void close() throws SQLException {
    for (Sql reader : readers) {
      reader.close();
    }
    try {
      writer.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      writer.close();
    } finally {
      releaseLock();
    }
  }
}
