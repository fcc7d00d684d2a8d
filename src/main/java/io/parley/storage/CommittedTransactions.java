package io.parley.storage;

import com.almworks.sqlite4java.SQLiteConnection;
import com.almworks.sqlite4java.SQLiteJob;
import com.almworks.sqlite4java.SQLiteQueue;
import com.amazonaws.services.dynamodbv2.local.shared.access.LocalDBAccess;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.Set;

/**
 * DynamoDB Local's database access whose transactions end only once SQLite has committed them.
 * DynamoDB Local (2.6.1) puts a transaction's COMMIT on its SQLite thread's queue and answers the
 * TransactWriteItems at once, without waiting for it: an answered transaction could still be lost
 * to kill -9 while the queue was busy. An event the journal had confirmed was gone after a
 * restart, and its entity wrote a later event under the same sequence number
 * (BatchedWritesCrashIT, a device that got cursors again with other messages).
 *
 * <p>The queue runs jobs in the order they come, so a job put on it after the COMMIT has run
 * once the COMMIT has: that is what the call waits for. Reads were never affected, since they
 * queue behind the COMMIT too.
 */
final class CommittedTransactions implements InvocationHandler {
  private static final Set<String> ENDING = Set.of("commitTransaction", "rollbackTransaction");

  private final LocalDBAccess access;
  private final SQLiteQueue database;

  private CommittedTransactions(LocalDBAccess access, SQLiteQueue database) {
    this.access = access;
    this.database = database;
  }

  /** {@code access} with its transactions' ends waited for on {@code database}, its SQLite queue. */
  static LocalDBAccess over(LocalDBAccess access, SQLiteQueue database) {
    return InProcessDynamoDb.proxy(LocalDBAccess.class, new CommittedTransactions(access, database));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return method.invoke(this, args);
    }
    Object result = InProcessDynamoDb.call(access, method, args);
    if (ENDING.contains(method.getName())) {
      database.execute(new SQLiteJob<Void>() {
        @Override
        protected Void job(SQLiteConnection connection) {
          return null;
        }
      }).complete();
    }
    return result;
  }
}
