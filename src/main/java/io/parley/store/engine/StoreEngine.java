package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.Requests;
import io.parley.store.model.Responses.BatchGetResult;
import io.parley.store.model.Responses.Page;
import io.parley.store.model.TableInfo;
import io.parley.store.model.TableSchema;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** The store's operations on its own model; the doors translate to and from it. */
public final class StoreEngine implements AutoCloseable {
  /** The name of the database file inside the store's directory. */
  public static final String DATABASE_FILE = Database.FILE_NAME;

  /** How long a write waits while another connection (a tool's) holds the file's write lock, before it fails. */
  public static final Duration BUSY_TIMEOUT = Duration.ofSeconds(10);

  private final Database database;
  private final GroupCommit writer;
  private final Catalog catalog;
  private final ItemWrites writes;
  private final ItemReads reads;
  private final Batches batches;
  private final Pages pages;
  private final TtlSweeper sweeper;
  private final TableStats stats;
  private final TableOperations tables;

  private StoreEngine(Path dir, long ttlSweepMillis, long busyTimeoutMillis) throws SQLException {
    this.database = new Database(dir, busyTimeoutMillis);
    this.catalog = new Catalog(database.writer());
    RequestTokens tokens = new RequestTokens(database.writer());
    this.writer = new GroupCommit(database.writer());
    this.writes = new ItemWrites(catalog, writer);
    this.reads = new ItemReads(catalog, database);
    this.batches = new Batches(catalog, writer, tokens);
    this.pages = new Pages(catalog, database);
    this.sweeper = new TtlSweeper(catalog, writer, ttlSweepMillis);
    this.stats = new TableStats(database);
    this.tables = new TableOperations(catalog, writer, stats);
  }

  /**
   * Opens (or creates) the store in {@code dir}; expired items are swept every {@code ttlSweepMillis},
   * and a write waits up to {@code busyTimeoutMillis} for another connection's lock on the file.
   */
  public static StoreEngine open(Path dir, long ttlSweepMillis, long busyTimeoutMillis) {
    try {
      return new StoreEngine(dir, ttlSweepMillis, busyTimeoutMillis);
    } catch (SQLException failed) {
      throw new IllegalStateException("Cannot open the store in " + dir + ": " + failed.getMessage(), failed);
    }
  }

  public TableInfo createTable(TableSchema schema) {
    return tables.create(schema);
  }

  /** DescribeTable; its item count and size are counted in the background (see {@link TableStats}). */
  public TableInfo describeTable(String name) {
    return tables.describe(name);
  }

  public TableInfo deleteTable(String name) {
    return tables.delete(name);
  }

  /** UpdateTable's index changes: one global index created or deleted. */
  public TableInfo updateTable(String name, TableSchema.IndexChanges changes) {
    return tables.update(name, changes);
  }

  public List<String> listTables() {
    return catalog.names();
  }

  /** Enables ({@code enabled}) or disables TTL on {@code attribute}, as UpdateTimeToLive does. */
  public void updateTimeToLive(String name, String attribute, boolean enabled) {
    tables.updateTimeToLive(name, attribute, enabled);
  }

  public TableInfo describeTimeToLive(String name) {
    return tables.describeTimeToLive(name);
  }

  public Map<String, AttributeValue> putItem(Requests.PutItem request) {
    return GroupCommit.await(writes.put(request));
  }

  /**
   * PutItem without waiting: the request is checked on this thread (a refusal is thrown), the
   * answer completes on the writer's thread after the commit.
   */
  public CompletableFuture<Map<String, AttributeValue>> putItemAsync(Requests.PutItem request) {
    return writes.put(request);
  }

  public Map<String, AttributeValue> getItem(Requests.GetItem request) {
    return reads.get(request);
  }

  public Map<String, AttributeValue> deleteItem(Requests.DeleteItem request) {
    return GroupCommit.await(writes.delete(request));
  }

  public CompletableFuture<Map<String, AttributeValue>> deleteItemAsync(Requests.DeleteItem request) {
    return writes.delete(request);
  }

  public Map<String, AttributeValue> updateItem(Requests.UpdateItem request) {
    return GroupCommit.await(writes.update(request));
  }

  public CompletableFuture<Map<String, AttributeValue>> updateItemAsync(Requests.UpdateItem request) {
    return writes.update(request);
  }

  public Page query(Requests.Query request) {
    return pages.query(request);
  }

  public Page scan(Requests.Scan request) {
    return pages.scan(request);
  }

  public BatchGetResult batchGetItem(Requests.BatchGetItem request) {
    return reads.batchGet(request);
  }

  public void batchWriteItem(Requests.BatchWriteItem request) {
    GroupCommit.await(batches.batchWrite(request));
  }

  public CompletableFuture<Void> batchWriteItemAsync(Requests.BatchWriteItem request) {
    return batches.batchWrite(request);
  }

  public void transactWriteItems(Requests.TransactWriteItems request) {
    GroupCommit.await(batches.transactWrite(request));
  }

  public CompletableFuture<Void> transactWriteItemsAsync(Requests.TransactWriteItems request) {
    return batches.transactWrite(request);
  }

  /** Deletes expired items now rather than at the next sweep; returns how many. */
  public int sweepExpired() {
    return sweeper.sweep();
  }

  /** How many transactions the writer has committed (each one sync), for tests and measurements. */
  public long commits() {
    return writer.commits();
  }

  /**
   * How long ago the writer last failed to commit (a full disk, an I/O error: every write of that
   * transaction was refused); empty if it never has. On a nearly full disk small transactions
   * commit between refused ones, so a commit since does not say the failures are over.
   */
  public Optional<Duration> sinceCommitFailed() {
    OptionalLong nanos = writer.sinceCommitFailed();
    return nanos.isPresent() ? Optional.of(Duration.ofNanos(nanos.getAsLong())) : Optional.empty();
  }

  public void backupTo(Path target) {
    database.backupTo(target.toAbsolutePath());
  }


  @Override
  public void close() {
    sweeper.close();
    try {
      stats.close();
      writer.close();
      database.close();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    } catch (SQLException failed) {
      throw new IllegalStateException("Closing the store failed: " + failed.getMessage(), failed);
    }
  }
}
