package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsync;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsyncClient;
import java.lang.reflect.Field;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.persistence.dynamodb.journal.DynamoDBHelper;
import org.apache.pekko.persistence.dynamodb.journal.DynamoDBJournal;
import org.apache.pekko.persistence.dynamodb.snapshot.DynamoDBSnapshotStore;

/**
 * The persistence plugin's DynamoDB client, replaced. The plugin builds its client internally and
 * offers no way to supply one, so it is swapped in its helper once, at the plugin's start; pinned
 * plugin version 1.1.0 (STACK.md).
 */
public final class PluginClient {
  /** The plugin version whose internals this class reaches into. */
  static final String PINNED_VERSION = "1.1.0";

  private PluginClient() {}

  /**
   * Fails, at start, when the plugin's internals are not those of {@link #PINNED_VERSION}: without
   * the swap the plugin's own client acks batches whose items DynamoDB left unprocessed.
   */
  public static void checkPluginShape() {
    try {
      // The helper the plugin's dynamoClient(...) makes: an anonymous class holding the client.
      requireField(Class.forName("org.apache.pekko.persistence.dynamodb.package$DynamoDBClient$1"), "dynamoDB",
          AmazonDynamoDBAsyncClient.class);
      requireField(DynamoDBSnapshotStore.class, "dynamo", DynamoDBHelper.class);
      requireField(org.apache.pekko.persistence.dynamodb.query.javadsl.DynamoDBReadJournal.class, "scaladslReadJournal",
          org.apache.pekko.persistence.dynamodb.query.scaladsl.DynamoDBReadJournal.class);
      Class.forName("org.apache.pekko.persistence.dynamodb.query.scaladsl.internal.DynamoDBReadJournal")
          .getMethod("dynamo");
      // The journal's marks and event keys, which JournalDeletion uses as they are.
      DynamoDBJournal.class.getMethod("readSequenceNr", String.class, boolean.class);
      DynamoDBJournal.class.getMethod("setLS", String.class, long.class);
      DynamoDBJournal.class.getMethod("messageKey", String.class, long.class);
    } catch (ReflectiveOperationException | RuntimeException changed) {
      throw new IllegalStateException("pekko-persistence-dynamodb is not the " + PINNED_VERSION + " Parley reaches "
          + "into (" + changed + "); see docs/storage.md on upgrading the plugin", changed);
    }
  }

  /** The snapshot store's client, replaced as the journal's is: in-process when this JVM runs the store. */
  static void replaceSnapshotStoreClient(DynamoDBSnapshotStore store, String endpoint) {
    try {
      Field helper = DynamoDBSnapshotStore.class.getDeclaredField("dynamo");
      helper.setAccessible(true);
      replace((DynamoDBHelper) helper.get(store), endpoint,
          client -> new CoalescingDynamoDbClient(client, RowWrites.BATCHES, 2, 2));
    } catch (ReflectiveOperationException | RuntimeException unexpected) {
      throw new IllegalStateException("the snapshot store cannot use Parley's DynamoDB client (plugin internals "
          + "changed)", unexpected);
    }
  }

  /**
   * The read journal's client, replaced as the journal's is: in-process when this JVM runs the
   * store (history pages and re-deliveries read through it), its writes merged.
   */
  public static void replaceReadJournalClient(
      org.apache.pekko.persistence.dynamodb.query.javadsl.DynamoDBReadJournal readJournal, String endpoint) {
    try {
      Field scaladsl = readJournal.getClass().getDeclaredField("scaladslReadJournal");
      scaladsl.setAccessible(true);
      Object reads = scaladsl.get(readJournal);
      DynamoDBHelper helper = (DynamoDBHelper) reads.getClass().getMethod("dynamo").invoke(reads);
      replace(helper, endpoint, client -> new CoalescingDynamoDbClient(client, RowWrites.BATCHES, 2, 2));
    } catch (ReflectiveOperationException | RuntimeException unexpected) {
      throw new IllegalStateException("the read journal cannot use Parley's DynamoDB client (plugin internals "
          + "changed)", unexpected);
    }
  }

  private static void requireField(Class<?> owner, String name, Class<?> type) throws NoSuchFieldException {
    Field field = owner.getDeclaredField(name);
    if (!field.getType().isAssignableFrom(type) && !type.isAssignableFrom(field.getType())) {
      throw new IllegalStateException(owner.getName() + "." + name + " is a " + field.getType().getName()
          + ", not a " + type.getName());
    }
  }

  /**
   * The helper's client becomes {@code wrap} of the in-process client of the store at
   * {@code endpoint} if this JVM runs it, else of the plugin's own client.
   */
  static void replace(DynamoDBHelper helper, String endpoint,
      Function<AmazonDynamoDBAsync, AmazonDynamoDBAsyncClient> wrap) throws ReflectiveOperationException {
    Field field = helper.getClass().getDeclaredField("dynamoDB");
    field.setAccessible(true);
    AmazonDynamoDBAsyncClient own = (AmazonDynamoDBAsyncClient) field.get(helper);
    var inProcess = InProcessDynamoDb.asyncAt(endpoint);
    field.set(helper, wrap.apply(inProcess.isPresent() ? inProcess.get() : own));
    if (inProcess.isPresent()) {
      retire(own);
    }
  }

  /**
   * Shuts down the plugin's own client, unused from now on, once the calls it is making are
   * answered. The journal's constructor has already sent its table check through it; shutting it
   * down at once interrupted that call, and the plugin logged an ERROR with a stack trace at every
   * start of a node with the embedded store.
   */
  static void retire(AmazonDynamoDBAsyncClient own) {
    ExecutorService calls = own.getExecutorService();
    calls.shutdown(); // takes no new calls; those under way finish
    RETIRING.newThread(() -> {
      try {
        calls.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException stopping) {
        Thread.currentThread().interrupt();
      }
      own.shutdown();
    }).start();
  }

  private static final DaemonThreads RETIRING = new DaemonThreads("dynamodb-plugin-client-retiring");
}
