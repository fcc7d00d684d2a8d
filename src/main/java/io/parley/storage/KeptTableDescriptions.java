package io.parley.storage;

import com.amazonaws.services.dynamodbv2.local.shared.access.LocalDBAccess;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * DynamoDB Local's database access with each table's description kept for a moment. DynamoDB
 * Local reads a table's description from SQLite for every request it serves, through its one
 * SQLite thread: a profile of new users' logins (async-profiler, itimer, a warmed node) put that
 * read first among the thread's jobs, ahead of the queries and writes themselves. A description
 * changes only when a table is created, updated or deleted.
 *
 * <p>What is kept is never older than {@code keepFor}, and goes at once when a table is changed
 * through this access: a description read while a change was under way is not kept. A change
 * made elsewhere (DynamoDB Local's HTTP endpoint, another node, its background jobs) is seen here
 * within {@code keepFor}, as DynamoDB itself makes table changes visible after a while. Calls
 * other than the data-plane ones below count as changes.
 */
final class KeptTableDescriptions implements InvocationHandler {
  static final Duration KEEP_FOR = Duration.ofSeconds(1);

  /** Calls that leave every table's description as it was. */
  private static final Set<String> READS_AND_ITEMS = Set.of(
      "getTableInfo", "getRecord", "putRecord", "deleteRecord", "queryRecords",
      "beginTransaction", "commitTransaction", "rollbackTransaction", "getLockForTable",
      "getTableItemCount", "getLSIItemCount", "getGSIItemCount", "getTableByteSize", "getLSIByteSize",
      "getGSIByteSize", "listTables", "getStreamInfo", "getGSIsByStatusFromAllTables",
      "fetchAllTablesWithTimeToLiveEnabled", "numberOfSubscriberWideInflightOnlineCreateIndexesOperations",
      "getStreamRecords", "getLatestSequenceNumberForShard", "getDeletionDateTimeForShard",
      "getEarliestNonExpiredSequenceNumberForShard", "getSequenceNumberStartForShard", "shardIsNotExpired");

  private record Kept(Object description, long generation, long keptAt) {}

  private final LocalDBAccess access;
  private final long keepForNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Kept> kept = new ConcurrentHashMap<>();
  /** Moves before and after every change, so that a read that overlapped one is not kept. */
  private final AtomicLong generation = new AtomicLong();

  private KeptTableDescriptions(LocalDBAccess access, Duration keepFor, LongSupplier nanoClock) {
    this.access = access;
    this.keepForNanos = keepFor.toNanos();
    this.nanoClock = nanoClock;
  }

  static LocalDBAccess over(LocalDBAccess access) {
    return over(access, KEEP_FOR, System::nanoTime);
  }

  static LocalDBAccess over(LocalDBAccess access, Duration keepFor, LongSupplier nanoClock) {
    return InProcessDynamoDb.proxy(LocalDBAccess.class, new KeptTableDescriptions(access, keepFor, nanoClock));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    if (method.getDeclaringClass() == Object.class) {
      return method.invoke(this, args);
    }
    if (name.equals("getTableInfo")) {
      return description((String) args[0], method, args);
    }
    if (READS_AND_ITEMS.contains(name)) {
      return call(method, args);
    }
    generation.incrementAndGet();
    kept.clear();
    try {
      return call(method, args);
    } finally {
      generation.incrementAndGet();
      kept.clear();
    }
  }

  private Object description(String table, Method method, Object[] args) throws Exception {
    long now = nanoClock.getAsLong();
    long current = generation.get();
    Kept known = kept.get(table);
    if (known != null && known.generation() == current && now - known.keptAt() < keepForNanos) {
      return known.description();
    }
    Object description = call(method, args);
    if (description != null && generation.get() == current) {
      kept.put(table, new Kept(description, current, now));
    }
    return description;
  }

  private Object call(Method method, Object[] args) throws Exception {
    return InProcessDynamoDb.call(access, method, args);
  }
}
