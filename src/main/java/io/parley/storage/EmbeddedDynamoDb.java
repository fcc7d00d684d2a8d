package io.parley.storage;

import com.almworks.sqlite4java.SQLiteConnection;
import com.almworks.sqlite4java.SQLiteException;
import com.almworks.sqlite4java.SQLiteJob;
import com.almworks.sqlite4java.SQLiteQueue;
import com.almworks.sqlite4java.SQLiteStatement;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.local.embedded.DDBExceptionMappingInvocationHandler;
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.AbstractLocalDynamoDBServerHandler;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.shared.access.LocalDBAccess;
import com.amazonaws.services.dynamodbv2.local.shared.access.LocalDBClient;
import com.amazonaws.services.dynamodbv2.local.shared.access.sqlite.SQLiteDBAccess;
import com.amazonaws.services.dynamodbv2.local.shared.jobs.JobsRegister;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.metrics.ParleyMetrics;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** DynamoDB Local running inside this JVM, file-backed, for the single-node default and tests. */
public final class EmbeddedDynamoDb implements AutoCloseable {
  /** How often the write-ahead log is checkpointed into the database file and started over. */
  static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDynamoDb.class);

  private final DynamoDBProxyServer server;
  private final int port;
  private final LocalDBClient local;
  private final SQLiteQueue database;
  private final ReadWriteLock databaseLock;
  private final Duration checkpointInterval;
  private final ScheduledExecutorService checkpoints = Executors.newSingleThreadScheduledExecutor(
      new DaemonThreads("dynamodb-local-checkpoint"));

  private EmbeddedDynamoDb(DynamoDBProxyServer server, int port, LocalDBClient local, Duration checkpointInterval)
      throws ReflectiveOperationException {
    this.server = server;
    this.port = port;
    this.local = local;
    SQLiteDBAccess access = (SQLiteDBAccess) field(LocalDBClient.class, "dbAccess").get(local);
    this.database = (SQLiteQueue) field(SQLiteDBAccess.class, "queue").get(access);
    this.databaseLock = (ReadWriteLock) field(SQLiteDBAccess.class, "queueLock").get(access);
    this.checkpointInterval = checkpointInterval;
  }

  public static EmbeddedDynamoDb start(Path dataDir, int port) throws Exception {
    return start(dataDir, "127.0.0.1", port, CHECKPOINT_INTERVAL);
  }

  /** DynamoDB Local on {@code host} (an interface's address) and {@code port}. */
  public static EmbeddedDynamoDb start(Path dataDir, String host, int port) throws Exception {
    return start(dataDir, host, port, CHECKPOINT_INTERVAL);
  }

  static EmbeddedDynamoDb start(Path dataDir, int port, Duration checkpointInterval) throws Exception {
    return start(dataDir, "127.0.0.1", port, checkpointInterval);
  }

  static EmbeddedDynamoDb start(Path dataDir, String host, int port, Duration checkpointInterval) throws Exception {
    Path dir = Files.createDirectories(dataDir);
    // -sharedDb: one database whatever the access key and region, so every node and tool sees it.
    DynamoDBProxyServer server =
        ServerRunner.createServerFromCommandLineArgs(
            new String[] {
              "-port", Integer.toString(port), "-sharedDb", "-disableTelemetry",
              "-dbPath", dir.toAbsolutePath().toString()
            });
    listenOn(server, host);
    server.start();
    // The first request makes DynamoDB Local open its database.
    DynamoDbClients.local("http://127.0.0.1:" + port).listTables();
    LocalDBClient local = localOf(server);
    EmbeddedDynamoDb embedded = new EmbeddedDynamoDb(server, port, local, checkpointInterval);
    InProcessDynamoDb.register(embedded.endpoint(), embedded.inProcessClient());
    embedded.run(EmbeddedDynamoDb::useLargerPagesIfNew);
    embedded.run(EmbeddedDynamoDb::useWriteAheadLog);
    embedded.run(EmbeddedDynamoDb::keepScratchInMemory);
    embedded.checkpoints.scheduleWithFixedDelay(embedded::checkpoint,
        checkpointInterval.toMillis(), checkpointInterval.toMillis(), TimeUnit.MILLISECONDS);
    return embedded;
  }

  /**
   * The queue of DynamoDB Local's one SQLite connection, which runs every read and write of the
   * database in turn: a checkpoint run there waits for nothing and makes nothing wait but the
   * jobs after it. A checkpoint from a connection of our own had to hold the database while it
   * waited for DynamoDB Local's readers, and DynamoDB Local's writes meanwhile failed with
   * "database is locked" (thousands a minute under load, each retried by the client). DynamoDB
   * Local has no API for it, hence reflection on the version pinned in the pom; a new version
   * that moved these fields fails here, at start, rather than running unchecked.
   */
  private static LocalDBClient localOf(DynamoDBProxyServer server) throws ReflectiveOperationException {
    Object serverHandler = field(DynamoDBProxyServer.class, "serverHandler").get(server);
    Object requests = field(AbstractLocalDynamoDBServerHandler.class, "primaryHandler").get(serverHandler);
    Map<?, ?> databases = (Map<?, ?>) field(LocalDynamoDBRequestHandler.class, "dbRequestHandlers").get(requests);
    if (databases.size() != 1) {
      throw new IllegalStateException("DynamoDB Local opened " + databases.size() + " databases, not one shared one");
    }
    return (LocalDBClient) databases.values().iterator().next();
  }

  /**
   * The database's client without HTTP ({@link InProcessDynamoDb}), built as DynamoDB Local's own
   * {@code DynamoDBEmbedded} builds it: its exception mapping turns DynamoDB Local's errors into
   * the SDK's (a failed condition, a cancelled transaction), as its HTTP endpoint does. It reads
   * table descriptions through {@link KeptTableDescriptions} and answers a transaction once it is
   * committed ({@link CommittedTransactions}); the HTTP endpoint does neither.
   */
  private AmazonDynamoDB inProcessClient() throws ReflectiveOperationException {
    return mappingExceptions(over(local, access -> CommittedTransactions.over(KeptTableDescriptions.over(access), database)));
  }

  /** The queue of DynamoDB Local's one SQLite connection (for tests). */
  SQLiteQueue queue() {
    return database;
  }

  /** A client of {@code local}'s database and jobs whose database access goes through {@code layer}. */
  static LocalDBClient over(LocalDBClient local, UnaryOperator<LocalDBAccess> layer)
      throws ReflectiveOperationException {
    return new LocalDBClient(layer.apply((LocalDBAccess) field(LocalDBClient.class, "dbAccess").get(local)),
        (JobsRegister) field(LocalDBClient.class, "jobs").get(local));
  }

  static AmazonDynamoDB mappingExceptions(LocalDBClient local) throws ReflectiveOperationException {
    Constructor<DDBExceptionMappingInvocationHandler> mapping =
        DDBExceptionMappingInvocationHandler.class.getDeclaredConstructor(LocalDBClient.class);
    mapping.setAccessible(true);
    return InProcessDynamoDb.proxy(AmazonDynamoDB.class, mapping.newInstance(local));
  }

  /** DynamoDB Local's client of the database, as its HTTP endpoint uses it. */
  LocalDBClient local() {
    return local;
  }

  /**
   * DynamoDB Local's Jetty listens on every interface and has no option for it; its connectors
   * are told the host before they open.
   */
  private static void listenOn(DynamoDBProxyServer server, String host) throws ReflectiveOperationException {
    Object jetty = field(DynamoDBProxyServer.class, "server").get(server);
    Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
    if (connectors.length == 0) {
      throw new IllegalStateException("DynamoDB Local has no connector to bind to " + host);
    }
    for (Object connector : connectors) {
      connector.getClass().getMethod("setHost", String.class).invoke(connector, host);
    }
  }

  private static Field field(Class<?> type, String name) throws NoSuchFieldException {
    Field field = type.getDeclaredField(name);
    field.setAccessible(true);
    return field;
  }

  /** The file DynamoDB Local keeps every table in, with {@code -sharedDb}. */
  static final String DATABASE_FILE = "shared-local-instance.db";

  /** Something to do on DynamoDB Local's connection, and what it answers. */
  private interface DatabaseJob<T> {
    T run(SQLiteConnection connection) throws SQLiteException;
  }

  private <T> T run(DatabaseJob<T> job) throws Exception {
    Lock shared = databaseLock.readLock();
    shared.lock();
    try {
      return database.execute(new SQLiteJob<T>() {
        @Override
        protected T job(SQLiteConnection connection) throws SQLiteException {
          return job.run(connection);
        }
      }).get(30, TimeUnit.SECONDS);
    } finally {
      shared.unlock();
    }
  }

  /** A setting of DynamoDB Local's connection, as it reports it (for tests). */
  String setting(String name) throws Exception {
    return run(connection -> pragma(connection, name));
  }

  /** Runs {@code PRAGMA pragma} and answers the first column of its row. */
  private static String pragma(SQLiteConnection connection, String pragma) throws SQLiteException {
    return rows(connection, "PRAGMA " + pragma, row -> row.columnString(0)).get(0);
  }

  /** One column or more of a row, as {@link #rows} reads it. */
  private interface RowReader<T> {
    T read(SQLiteStatement row) throws SQLiteException;
  }

  /** Every row {@code sql} answers, each read by {@code reader}; {@code values} bound in order. */
  private static <T> List<T> rows(SQLiteConnection connection, String sql, RowReader<T> reader, String... values)
      throws SQLiteException {
    SQLiteStatement statement = connection.prepare(sql, false);
    try {
      for (int i = 0; i < values.length; i++) {
        statement.bind(i + 1, values[i]);
      }
      List<T> rows = new ArrayList<>();
      while (statement.step()) {
        rows.add(reader.read(statement));
      }
      return rows;
    } finally {
      statement.dispose();
    }
  }

  /** SQLite's page size for a new database: today's SQLite default, four times DynamoDB Local's. */
  static final int PAGE_SIZE = 4096;

  /**
   * DynamoDB Local's SQLite (3.8.7) makes pages of 1 KiB, smaller than a journal row as DynamoDB
   * Local stores it (about 1.2 KB): every row spilled onto an overflow page, and every commit
   * wrote each page it touched to the log with a seek and a write of its own. With 4 KiB pages a
   * row fits its leaf page and the trees are shallower; a fresh node took its first minute of load
   * at 1.7 times the rate (README, Performance). The page size is fixed once the database is in
   * write-ahead-log mode, so only a new database (a fresh data dir) gets it: rebuilt with the
   * larger pages while it holds no table but DynamoDB Local's own empty ones. An older database
   * keeps the page size it has.
   */
  private static SQLiteConnection useLargerPagesIfNew(SQLiteConnection connection) throws SQLiteException {
    boolean noTablesYet = rows(connection, "SELECT TableName FROM dm LIMIT 1", row -> row.columnString(0)).isEmpty();
    if (noTablesYet && !"wal".equalsIgnoreCase(pragma(connection, "journal_mode"))
        && Integer.parseInt(pragma(connection, "page_size")) < PAGE_SIZE) {
      connection.exec("PRAGMA page_size=" + PAGE_SIZE).exec("VACUUM");
    }
    return connection;
  }

  /**
   * DynamoDB Local keeps its tables in SQLite, whose default rollback journal creates, syncs and
   * deletes a journal file for every transaction: several file-system calls and syncs per write,
   * all on the one thread that serializes every write of the node. In write-ahead-log mode a
   * commit is one append and one sync of the log, as durable as before (synchronous stays FULL).
   * The mode is stored in the database file, so it holds from the next start on too.
   */
  private static SQLiteConnection useWriteAheadLog(SQLiteConnection connection) throws SQLiteException {
    String mode = pragma(connection, "journal_mode=WAL");
    if (!"wal".equalsIgnoreCase(mode)) {
      throw new IllegalStateException("DynamoDB Local's database stayed in journal mode " + mode);
    }
    return connection;
  }

  /**
   * Only for this connection's life, and none of it is durable data. A statement that may need
   * undoing within its transaction keeps the pages it changes in a statement journal, by default
   * a temporary file opened, written and closed for each write (a profile of the open loop: 3 %
   * of the node's CPU in those calls); in memory instead. And a page cache of 16 MiB rather than
   * SQLite's 2,000 pages, so that hot index pages are not read again from the file.
   */
  private static SQLiteConnection keepScratchInMemory(SQLiteConnection connection) throws SQLiteException {
    return connection.exec("PRAGMA temp_store=MEMORY").exec("PRAGMA cache_size=-16384");
  }

  /**
   * DynamoDB Local never checkpoints the log (measured: 1.1 GB of log over a 13 KB database after
   * three minutes of load), and every read then searches an ever longer log, so the node slows
   * down as it runs. A restarting checkpoint copies the log into the database and lets the next
   * write start it over; on DynamoDB Local's own connection it has no reader to wait for. SQLite
   * 3.8.7 (DynamoDB Local's) has no truncating checkpoint, so the file keeps its largest size.
   */
  private void checkpoint() {
    try {
      run(connection -> {
        long start = System.nanoTime();
        connection.exec("PRAGMA wal_checkpoint(RESTART)");
        // Every read and write of the store waits behind it: this is how long.
        ParleyMetrics.checkpointed(Duration.ofNanos(System.nanoTime() - start));
        return null;
      });
    } catch (Exception failure) {
      log.warn("Checkpointing DynamoDB Local's write-ahead log failed; retried in {}: {}",
          checkpointInterval, failure.toString());
    }
  }

  /**
   * DynamoDB Local keeps a global secondary index as columns of its table's SQLite table but gives
   * them no SQLite index, so every query of the index reads the whole table: a user's large groups
   * ({@link DynamoDbGroupMembers#largeGroupsOf}) cost 11 ms of the node's core per login with one
   * group of 100,000 members, and grew with every member added. Here each global secondary index
   * of every table gets the SQLite index DynamoDB itself would keep, on the columns DynamoDB Local
   * records for it; its queries then read only their own rows. Run once the tables exist; an index
   * already there is left as it is.
   */
  public void indexGlobalSecondaryIndexes() throws Exception {
    List<String> created = run(connection -> {
      List<Map.Entry<String, byte[]>> tables = rows(connection, "SELECT TableName, TableInfo FROM dm",
          row -> Map.entry(row.columnString(0), row.columnBlob(1)));
      List<String> indexes = new ArrayList<>();
      for (Map.Entry<String, byte[]> table : tables) {
        for (Map.Entry<String, List<String>> index : globalIndexColumns(table.getValue()).entrySet()) {
          String name = table.getKey() + "*GSI*" + index.getKey();
          connection.exec("CREATE INDEX IF NOT EXISTS " + quoted(name) + " ON " + quoted(table.getKey()) + " ("
              + String.join(", ", index.getValue().stream().map(EmbeddedDynamoDb::quoted).toList()) + ")");
          indexes.add(name);
        }
      }
      return indexes;
    });
    log.debug("SQLite indexes for global secondary indexes: {}", created);
  }

  /** Per global secondary index in a table's description, the SQLite columns of its keys, in key order. */
  private static Map<String, List<String>> globalIndexColumns(byte[] tableInfo) {
    try {
      JsonNode info = TABLE_INFO.readTree(tableInfo);
      Map<String, List<String>> columns = new LinkedHashMap<>();
      for (JsonNode gsi : info.path("GSIList")) {
        String index = gsi.path("IndexName").asText();
        List<String> keys = new ArrayList<>();
        info.path("SQLiteIndex").path(index).forEach(key -> keys.add(key.path("SQLiteColumnName").asText()));
        if (keys.isEmpty() || keys.stream().anyMatch(String::isEmpty)) {
          throw new IllegalStateException("DynamoDB Local records no SQLite columns for index " + index);
        }
        columns.put(index, keys);
      }
      return columns;
    } catch (IOException unreadable) {
      throw new IllegalStateException("DynamoDB Local's table description is not JSON", unreadable);
    }
  }

  private static final ObjectMapper TABLE_INFO = new ObjectMapper();

  /** An SQLite identifier; DynamoDB's table and index names never hold a double quote. */
  private static String quoted(String identifier) {
    return '"' + identifier + '"';
  }

  /** The SQLite indexes of {@code table}'s SQLite table (for tests). */
  List<String> sqliteIndexesOf(String table) throws Exception {
    return run(connection -> rows(connection, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
        row -> row.columnString(0), table));
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  private boolean stopped;

  @Override
  public synchronized void close() throws Exception {
    if (!stopped) {
      stopped = true;
      checkpoints.shutdownNow();
      checkpoints.awaitTermination(30, TimeUnit.SECONDS);
      InProcessDynamoDb.unregister(endpoint());
      server.stop();
      // DynamoDB Local only asks its SQLite thread to stop; until that thread has closed the
      // connection (a last WAL checkpoint) a new start on the same files may meet a busy database.
      database.join();
    }
  }
}
