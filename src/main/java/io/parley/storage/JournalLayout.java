package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.ConditionalCheckFailedException;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.util.Map;
import java.util.Optional;

/**
 * Over how many keys the persistence plugin spreads each entity's sequence-number marks: fixed
 * per journal table, recorded in it.
 *
 * <p>The plugin keeps an entity's highest and lowest sequence numbers in {@code sequence-shards}
 * keys each (ten by default) and reads all of them at every recovery: ten keys for the highest
 * mark and, for an entity whose newest partition is empty (a new one among them), ten for the
 * lowest. On the embedded store each key is one SQLite read and on DynamoDB one read unit, and these
 * reads held new users' logins back. A mark is written once per 100 events, so spreading it buys
 * nothing. A journal table that holds nothing yet gets one key per mark, whoever created it (Parley,
 * or an operator with {@code PARLEY_DYNAMODB_CREATE_TABLES=off}); one that holds data without a
 * recorded layout keeps ten, as its data was written with them. Changing the number on a table
 * with data would hide the marks written before, so it is never changed: the first node to
 * record a layout decides it (a conditional write), and every node uses what is recorded.
 */
public final class JournalLayout {
  /** The layout's item: no event key starts this way (theirs start with the journal name). */
  static final String ITEM = "parley-journal-layout";
  /** The plugin's default, with which tables older than the layout item were written. */
  public static final int EXISTING_TABLE_SHARDS = 10;
  public static final int NEW_TABLE_SHARDS = 1;

  private JournalLayout() {}

  /**
   * The sequence-number shards of {@code journalTable}, recorded now if no node did before:
   * {@link #NEW_TABLE_SHARDS} if this node has just created the table or the table holds nothing,
   * else {@link #EXISTING_TABLE_SHARDS}.
   */
  public static int sequenceShards(AmazonDynamoDB dynamo, String journalTable, boolean createdNow) {
    Optional<Integer> recorded = recorded(dynamo, journalTable);
    if (recorded.isPresent()) {
      return recorded.get(); // every start after the first: one read, no decision to make
    }
    int proposed = createdNow || isEmpty(dynamo, journalTable) ? NEW_TABLE_SHARDS : EXISTING_TABLE_SHARDS;
    try {
      dynamo.putItem(new PutItemRequest(journalTable, Map.of(
              "par", new AttributeValue(ITEM),
              "num", new AttributeValue().withN("0"),
              "shards", new AttributeValue().withN(Integer.toString(proposed))))
          .withConditionExpression("attribute_not_exists(par)"));
    } catch (ConditionalCheckFailedException recordedBefore) {
      // another node decided it meanwhile
    }
    return recorded(dynamo, journalTable).orElseThrow();
  }

  private static Optional<Integer> recorded(AmazonDynamoDB dynamo, String journalTable) {
    Map<String, AttributeValue> item = dynamo.getItem(new GetItemRequest(journalTable, Map.of(
            "par", new AttributeValue(ITEM), "num", new AttributeValue().withN("0")))
        .withConsistentRead(true)).getItem();
    return Optional.ofNullable(item).map(recorded -> Integer.parseInt(recorded.get("shards").getN()));
  }

  /** One item read at most, by the node that records the layout. */
  private static boolean isEmpty(AmazonDynamoDB dynamo, String journalTable) {
    return dynamo.scan(new ScanRequest(journalTable).withLimit(1).withConsistentRead(true)).getItems().isEmpty();
  }

  /** {@code config} with the journal and its read side using {@code shards}. */
  public static Config apply(Config config, int shards) {
    return config
        .withValue("dynamodb-journal.sequence-shards", ConfigValueFactory.fromAnyRef(shards))
        .withValue("dynamodb-read-journal.sequence-shards", ConfigValueFactory.fromAnyRef(shards));
  }
}
