package io.parley.storage;

import io.parley.store.EmbeddedStore;
import io.parley.store.http.HttpDoor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parley's embedded store ({@link EmbeddedStore}) as this node's DynamoDB: its files under the
 * data dir, its HTTP door on {@code host:port} for other nodes and tools, and its in-process door
 * registered by that endpoint ({@link InProcessDynamoDb}), so that the node's own clients and the
 * persistence plugin reach it without HTTP.
 */
public final class EmbeddedDynamoDb implements AutoCloseable {
  private static final Map<String, EmbeddedDynamoDb> RUNNING = new ConcurrentHashMap<>();

  /** The file an earlier Parley's DynamoDB Local kept every table in. */
  static final String DYNAMODB_LOCAL_FILE = "shared-local-instance.db";

  private final EmbeddedStore store;
  private final HttpDoor http;
  private boolean stopped;

  private EmbeddedDynamoDb(EmbeddedStore store, HttpDoor http) {
    this.store = store;
    this.http = http;
  }

  /** The store in {@code dataDir}, its HTTP door on 127.0.0.1:{@code port}. */
  public static EmbeddedDynamoDb start(Path dataDir, int port) {
    return start(dataDir, "127.0.0.1", port);
  }

  /** The store in {@code dataDir}, its HTTP door on {@code host}:{@code port}. */
  public static EmbeddedDynamoDb start(Path dataDir, String host, int port) {
    return start(dataDir, host, port, EmbeddedStore.BUSY_TIMEOUT);
  }

  /** {@link #start(Path, String, int)}, its writes failing after {@code busyTimeout} behind another's lock. */
  static EmbeddedDynamoDb start(Path dataDir, String host, int port, Duration busyTimeout) {
    refuseDynamoDbLocalData(dataDir);
    EmbeddedStore store = EmbeddedStore.open(dataDir, EmbeddedStore.TTL_SWEEP, busyTimeout);
    HttpDoor http;
    try {
      http = store.serveHttp(host, port);
    } catch (RuntimeException cannotListen) {
      store.close();
      throw cannotListen;
    }
    EmbeddedDynamoDb embedded = new EmbeddedDynamoDb(store, http);
    InProcessDynamoDb.register(embedded.endpoint(), store.inProcessClient(), store.inProcessAsyncClient());
    RUNNING.put(embedded.endpoint(), embedded);
    return embedded;
  }

  /** The store this JVM runs at {@code endpoint}, if any (for backups through the management port). */
  static Optional<EmbeddedDynamoDb> running(String endpoint) {
    return Optional.ofNullable(RUNNING.get(endpoint));
  }

  /**
   * A data dir that DynamoDB Local wrote is not read: its file format is DynamoDB Local's own. The
   * node stops before anything else opens, so nothing is half-started or written beside it.
   */
  static void refuseDynamoDbLocalData(Path dataDir) {
    Path old = dataDir.resolve(DYNAMODB_LOCAL_FILE);
    if (Files.exists(old)) {
      throw new IllegalStateException("the data dir " + dataDir + " holds DynamoDB Local's " + DYNAMODB_LOCAL_FILE
          + " from an earlier Parley, which this version does not read: start on an empty PARLEY_DATA_DIR, or "
          + "move that file away to keep it (docs/storage.md, Upgrading a data dir)");
    }
  }

  public String endpoint() {
    return http.endpoint();
  }

  /** How long ago the store last failed to commit; empty if it never has (see {@link StorageHealthCheck}). */
  public Optional<Duration> sinceCommitFailed() {
    return store.engine().sinceCommitFailed();
  }

  /**
   * An online, consistent copy of the store's database in {@code target}, a file that must not
   * exist yet; writes go on meanwhile.
   */
  public void backupTo(Path target) {
    try {
      Files.createDirectories(target.toAbsolutePath().getParent());
    } catch (IOException cannot) {
      throw new UncheckedIOException(cannot);
    }
    store.backupTo(target);
  }

  @Override
  public synchronized void close() {
    if (!stopped) {
      stopped = true;
      InProcessDynamoDb.unregister(endpoint());
      RUNNING.remove(endpoint());
      http.close();
      store.close();
    }
  }
}
