package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsyncClient;
import com.typesafe.config.Config;
import java.lang.reflect.Field;
import org.apache.pekko.persistence.dynamodb.journal.DynamoDBHelper;
import org.apache.pekko.persistence.dynamodb.journal.DynamoDBJournal;

/**
 * pekko-persistence-dynamodb's journal, with its writes and its recoveries' BatchGetItems
 * coalesced across entities by {@link CoalescingDynamoDbClient}: on a busy node most entities
 * write once or twice a second each, and sending each of those writes alone costs a request
 * (and, on DynamoDB Local, a transaction on its single writer thread) per entity; a login storm
 * recovers hundreds of entities at once, each reading its sequence numbers with a small
 * BatchGetItem of its own. Configured as {@code dynamodb-journal.class}.
 *
 * <p>The snapshot store builds a client of its own (the plugin's {@code dynamoClient}), so its
 * reads, Queries that could not be merged anyway, are untouched.
 *
 * <p>The plugin builds its client internally and offers no way to supply one, so the client is
 * swapped into its helper once, here; pinned plugin version 1.1.0 (STACK.md). Should the field
 * ever move, the journal keeps the plugin's own client and logs why.
 */
public final class CoalescingDynamoDBJournal extends DynamoDBJournal {
  public CoalescingDynamoDBJournal(Config config) {
    super(config);
    int maxWritesInFlight = config.getInt("max-writes-in-flight");
    int maxReadsInFlight = config.getInt("max-reads-in-flight");
    RowWrites writeAs = RowWrites.valueOf(config.getString("write-as"));
    DynamoDBHelper helper = dynamo();
    try {
      Field field = helper.getClass().getDeclaredField("dynamoDB");
      field.setAccessible(true);
      AmazonDynamoDBAsyncClient client = (AmazonDynamoDBAsyncClient) field.get(helper);
      field.set(helper, new CoalescingDynamoDbClient(client, writeAs, maxWritesInFlight, maxReadsInFlight));
    } catch (ReflectiveOperationException | RuntimeException unexpected) {
      log().warning("Journal writes and reads are not coalesced across entities (plugin internals changed): {}", unexpected.toString());
    }
  }
}
