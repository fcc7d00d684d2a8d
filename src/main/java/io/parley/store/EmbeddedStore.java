package io.parley.store;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsync;
import io.parley.store.engine.StoreEngine;
import io.parley.store.http.HttpDoor;
import io.parley.store.sdkv1.SdkV1DynamoDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Parley's embedded DynamoDB-compatible store: a subset of DynamoDB's API with DynamoDB's
 * semantics, on SQLite, in one directory. Writes are durable when answered and share one commit
 * (group commit). Two doors: {@link #inProcessClient()} for this JVM, {@link #serveHttp} for
 * other processes, tools and SDKs.
 */
public final class EmbeddedStore implements AutoCloseable {
  /** How often expired items (TTL) are looked for. */
  public static final Duration TTL_SWEEP = Duration.ofSeconds(30);

  /** How long a write waits while another connection (a tool's) holds the file's write lock, before it fails. */
  public static final Duration BUSY_TIMEOUT = StoreEngine.BUSY_TIMEOUT;

  /** The name of the database file inside the store's directory. */
  public static final String DATABASE_FILE = StoreEngine.DATABASE_FILE;

  private final StoreEngine engine;
  private final SdkV1DynamoDb inProcess;
  private final List<HttpDoor> doors = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedStore(StoreEngine engine) {
    this.engine = engine;
    this.inProcess = new SdkV1DynamoDb(engine);
  }

  /** Opens the store in {@code dir}, creating it if it does not exist. */
  public static EmbeddedStore open(Path dir) {
    return open(dir, TTL_SWEEP);
  }

  /** {@link #open(Path)} with TTL sweeps every {@code ttlSweep}. */
  public static EmbeddedStore open(Path dir, Duration ttlSweep) {
    return open(dir, ttlSweep, BUSY_TIMEOUT);
  }

  /** {@link #open(Path, Duration)}, its writes failing after {@code busyTimeout} behind another's lock (tests of that). */
  public static EmbeddedStore open(Path dir, Duration ttlSweep, Duration busyTimeout) {
    return new EmbeddedStore(StoreEngine.open(dir, ttlSweep.toMillis(), busyTimeout.toMillis()));
  }

  /** The store as the AWS SDK v1 client interface, without HTTP; its shutdown does nothing. */
  public AmazonDynamoDB inProcessClient() {
    return inProcess;
  }

  /**
   * The store as the AWS SDK v1 asynchronous client interface, without HTTP and without a thread
   * of its own: writes are answered on the store's writer thread once committed, reads on the
   * calling thread. Its shutdown does nothing.
   */
  public AmazonDynamoDBAsync inProcessAsyncClient() {
    return inProcess;
  }

  /**
   * Serves the store over HTTP in DynamoDB's JSON protocol on {@code host}:{@code port} (port 0:
   * any free port; see {@link HttpDoor#endpoint()}) until the returned door is closed.
   */
  public HttpDoor serveHttp(String host, int port) {
    try {
      HttpDoor door = HttpDoor.serve(engine, host, port);
      doors.add(door);
      return door;
    } catch (IOException failed) {
      throw new UncheckedIOException("Cannot serve the store on " + host + ":" + port, failed);
    }
  }

  /** {@link #serveHttp(String, int)} on 127.0.0.1. */
  public HttpDoor serveHttp(int port) {
    return serveHttp("127.0.0.1", port);
  }

  /** The store's operations on its own model. */
  public StoreEngine engine() {
    return engine;
  }

  /**
   * Writes an online, consistent copy of the store to the file {@code target} (which must not
   * exist yet); opening a directory holding it as {@link #DATABASE_FILE} restores it.
   */
  public void backupTo(Path target) {
    if (Files.exists(target)) {
      throw new IllegalArgumentException("Backup target exists already: " + target);
    }
    engine.backupTo(target);
  }

  /**
   * Closes the HTTP doors, answers every write already submitted, then closes the database. A
   * second close does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    doors.forEach(HttpDoor::close);
    engine.close();
  }
}
