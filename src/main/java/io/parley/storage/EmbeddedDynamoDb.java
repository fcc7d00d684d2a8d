package io.parley.storage;

import com.almworks.sqlite4java.SQLiteConnection;
import com.almworks.sqlite4java.SQLiteException;
import com.almworks.sqlite4java.SQLiteStatement;
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** DynamoDB Local running inside this JVM, file-backed, for the single-node default and tests. */
public final class EmbeddedDynamoDb implements AutoCloseable {
  /** How often the write-ahead log is checkpointed into the database file. */
  static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
  /** How long a restarting checkpoint waits for DynamoDB Local's readers and writer. */
  private static final int RESTART_WAIT_MILLIS = 200;

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDynamoDb.class);

  private final DynamoDBProxyServer server;
  private final int port;
  /** sqlite4java connections belong to the thread that opened them: this one's. */
  private final ScheduledExecutorService sqliteThread = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "dynamodb-local-checkpoint");
    thread.setDaemon(true);
    return thread;
  });
  private SQLiteConnection connection;

  private EmbeddedDynamoDb(DynamoDBProxyServer server, int port) {
    this.server = server;
    this.port = port;
  }

  public static EmbeddedDynamoDb start(Path dataDir, int port) throws Exception {
    Path dir = Files.createDirectories(dataDir);
    // -sharedDb: one database whatever the access key and region, so every node and tool sees it.
    DynamoDBProxyServer server =
        ServerRunner.createServerFromCommandLineArgs(
            new String[] {
              "-port", Integer.toString(port), "-sharedDb", "-disableTelemetry",
              "-dbPath", dir.toAbsolutePath().toString()
            });
    server.start();
    EmbeddedDynamoDb embedded = new EmbeddedDynamoDb(server, port);
    DynamoDbClients.local(embedded.endpoint()).listTables();
    embedded.sqliteThread.submit(() -> embedded.useWriteAheadLog(dir.resolve(DATABASE_FILE))).get();
    embedded.sqliteThread.scheduleWithFixedDelay(embedded::checkpoint,
        CHECKPOINT_INTERVAL.toMillis(), CHECKPOINT_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    return embedded;
  }

  /** The file DynamoDB Local keeps every table in, with {@code -sharedDb}. */
  static final String DATABASE_FILE = "shared-local-instance.db";

  /**
   * DynamoDB Local keeps its tables in SQLite, whose default rollback journal creates, syncs and
   * deletes a journal file for every transaction: several file-system calls and syncs per write,
   * all on the one thread that serializes every write of the node. In write-ahead-log mode a
   * commit is one append and one sync of the log, as durable as before (synchronous stays FULL).
   * The mode is stored in the database file, so DynamoDB Local's own connection takes it up with
   * its next transaction. The first request (in {@link #start}) makes DynamoDB Local create the
   * file and load SQLite's native library, which this connection needs too.
   */
  private Void useWriteAheadLog(Path database) throws SQLiteException {
    connection = new SQLiteConnection(database.toFile());
    connection.open(false);
    connection.setBusyTimeout(RESTART_WAIT_MILLIS);
    SQLiteStatement pragma = connection.prepare("PRAGMA journal_mode=WAL");
    try {
      pragma.step();
      String mode = pragma.columnString(0);
      if (!"wal".equalsIgnoreCase(mode)) {
        throw new IllegalStateException("DynamoDB Local's database stayed in journal mode " + mode);
      }
    } finally {
      pragma.dispose();
    }
    return null;
  }

  /**
   * DynamoDB Local's own connection never checkpoints the log (measured: 1.1 GB of log over a
   * 13 KB database after three minutes of load), and every read then searches an ever longer log,
   * so the node slows down as it runs. A passive checkpoint copies the log into the database
   * without blocking DynamoDB Local's writer; a restarting one then lets the next write start the
   * log over, blocking that writer only while it copies what came in meanwhile (it gives up after
   * a short wait for readers and tries again next time). DynamoDB Local's SQLite is 3.8.7, which
   * has no truncating checkpoint, so the file keeps its size but not its length of search.
   */
  private void checkpoint() {
    try {
      // A read first: a connection that has not read since it switched to WAL mode has not opened
      // the log, and its checkpoint does nothing.
      connection.exec("PRAGMA schema_version");
      connection.exec("PRAGMA wal_checkpoint(PASSIVE)");
      connection.exec("PRAGMA wal_checkpoint(RESTART)");
    } catch (SQLiteException | RuntimeException failure) {
      log.warn("Checkpointing DynamoDB Local's write-ahead log failed; retried in {}: {}",
          CHECKPOINT_INTERVAL, failure.toString());
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  private boolean stopped;

  @Override
  public synchronized void close() throws Exception {
    if (!stopped) {
      stopped = true;
      sqliteThread.submit(() -> {
        if (connection != null) {
          connection.dispose();
        }
      }).get();
      sqliteThread.shutdown();
      server.stop();
    }
  }
}
