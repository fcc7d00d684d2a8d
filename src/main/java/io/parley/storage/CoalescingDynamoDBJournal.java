package io.parley.storage;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.DeleteItemRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemResult;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.typesafe.config.Config;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.persistence.dynamodb.journal.DynamoDBJournal;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;

/**
 * pekko-persistence-dynamodb's journal, with its writes and its recoveries' BatchGetItems
 * coalesced across entities by {@link CoalescingDynamoDbClient}, a recovery's two Queries of
 * its newest partition made one ({@link RecoveryReads}) and its low marks read with its high marks
 * ({@link LowMarkReads}): on a busy node most entities
 * write once or twice a second each, and sending each of those writes alone costs a request
 * (and, on the embedded store, a turn of its single writer) per entity; a login storm
 * recovers hundreds of entities at once, each reading its sequence numbers with a small
 * BatchGetItem of its own. Configured as {@code dynamodb-journal.class}.
 *
 * <p>The client is swapped in by {@link PluginClient}, in-process when this JVM runs the store
 * ({@link InProcessDynamoDb}). Should the plugin's internals ever move, the journal fails to
 * start ({@link PluginClient#checkPluginShape} says so before the node starts).
 */
public final class CoalescingDynamoDBJournal extends DynamoDBJournal {
  private final JournalDeletion deletion;

  public CoalescingDynamoDBJournal(Config config) {
    super(config);
    int maxWritesInFlight = config.getInt("max-writes-in-flight");
    int maxReadsInFlight = config.getInt("max-reads-in-flight");
    RowWrites writeAs = RowWrites.valueOf(config.getString("write-as"));
    RecoveryReads recoveries = new RecoveryReads(config.getString("journal-table"), RecoveryReads.MAX_BYTES, System::nanoTime);
    LowMarkReads lowMarks = new LowMarkReads(config.getString("journal-table"), config.getString("journal-name"),
        config.getInt("sequence-shards"), System::nanoTime);
    try {
      // Writes go out after the journal's turn on its dispatcher (GroupCommit).
      PluginClient.replace(dynamo(), config.getString("endpoint"),
          client -> new CoalescingDynamoDbClient(client, writeAs, maxWritesInFlight, maxReadsInFlight, recoveries, lowMarks,
              context().dispatcher()));
    } catch (ReflectiveOperationException | RuntimeException unexpected) {
      // Never the plugin's own client: it acks batches with unprocessed items (PluginClient).
      throw new IllegalStateException("the journal cannot use Parley's DynamoDB client (plugin internals changed)",
          unexpected);
    }
    this.deletion = new JournalDeletion(new PluginMarks(), new PluginTable(), config.getString("journal-table"),
        context().dispatcher());
  }

  /** Resumable where the plugin's is not: see {@link JournalDeletion}. */
  @Override
  public Future<BoxedUnit> asyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return FutureConverters.asScala(deletion.deleteTo(persistenceId, toSequenceNr).thenApply(done -> BoxedUnit.UNIT));
  }

  private final class PluginMarks implements JournalDeletion.Plugin {
    public CompletionStage<Long> lowest(String persistenceId) {
      return FutureConverters.asJava(readSequenceNr(persistenceId, false)).thenApply(Long.class::cast);
    }

    public CompletionStage<Long> highest(String persistenceId) {
      return FutureConverters.asJava(readSequenceNr(persistenceId, true)).thenApply(Long.class::cast);
    }

    public CompletionStage<?> setLowest(String persistenceId, long lowest) {
      return FutureConverters.asJava(setLS(persistenceId, lowest));
    }

    public Map<String, AttributeValue> eventKey(String persistenceId, long sequenceNr) {
      return messageKey(persistenceId, sequenceNr);
    }
  }

  /** Through the plugin's helper: its retries, and Parley's client under it. */
  private final class PluginTable implements JournalDeletion.Table {
    public CompletionStage<Map<String, AttributeValue>> get(GetItemRequest request) {
      return FutureConverters.asJava(dynamo().getItem(request)).thenApply(GetItemResult::getItem);
    }

    public CompletionStage<?> put(PutItemRequest request) {
      return FutureConverters.asJava(dynamo().putItem(request));
    }

    public CompletionStage<?> delete(DeleteItemRequest request) {
      return FutureConverters.asJava(dynamo().deleteItem(request));
    }

    public CompletionStage<?> write(BatchWriteItemRequest request) {
      return FutureConverters.asJava(dynamo().batchWriteItem(request));
    }
  }
}
