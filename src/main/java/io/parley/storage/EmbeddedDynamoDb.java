package io.parley.storage;

import com.almworks.sqlite4java.SQLiteConnection;
import com.almworks.sqlite4java.SQLiteStatement;
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;

/** DynamoDB Local running inside this JVM, file-backed, for the single-node default and tests. */
public final class EmbeddedDynamoDb implements AutoCloseable {
  private final DynamoDBProxyServer server;
  private final int port;

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
    embedded.useWriteAheadLog(dir.resolve(DATABASE_FILE));
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
   * its next transaction. A first request makes DynamoDB Local create the file and load SQLite's
   * native library, which this connection needs too.
   */
  private void useWriteAheadLog(Path database) throws Exception {
    DynamoDbClients.local(endpoint()).listTables();
    SQLiteConnection connection = new SQLiteConnection(database.toFile());
    try {
      connection.open(false);
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
    } finally {
      connection.dispose();
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
      server.stop();
    }
  }
}
