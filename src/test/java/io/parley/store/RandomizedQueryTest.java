package io.parley.store;

import static io.parley.store.StoreFixture.item;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
import com.amazonaws.services.dynamodbv2.model.QueryResult;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Seeded random numbers and strings as range keys, queried with random conditions, directions
 * and page sizes: every answer matches the same query worked out in memory by DynamoDB's rules.
 */
class RandomizedQueryTest extends InProcessStoreTest {
  @Test
  void numberKeysPageInValueOrder() {
    dynamo.createTable(new CreateTableRequest().withTableName("nums")
        .withKeySchema(new KeySchemaElement("h", KeyType.HASH), new KeySchemaElement("n", KeyType.RANGE))
        .withAttributeDefinitions(new AttributeDefinition("h", "S"), new AttributeDefinition("n", "N")));
    Random random = new Random(4040);
    List<BigDecimal> keys = new ArrayList<>();
    while (keys.size() < 300) {
      BigDecimal key = BigDecimal.valueOf(random.nextLong() % 100_000, random.nextInt(12) - 4).stripTrailingZeros();
      if (keys.stream().noneMatch(existing -> existing.compareTo(key) == 0)) {
        keys.add(key);
        dynamo.putItem("nums", item("h", "x", "n", StoreFixture.n(key.toPlainString())));
      }
    }
    keys.sort(Comparator.naturalOrder());
    for (int round = 0; round < 60; round++) {
      BigDecimal a = keys.get(random.nextInt(keys.size()));
      BigDecimal b = keys.get(random.nextInt(keys.size())).add(BigDecimal.valueOf(random.nextInt(3) - 1));
      BigDecimal low = a.min(b);
      BigDecimal high = a.max(b);
      String[] conditions = {"n < :a", "n <= :a", "n > :a", "n >= :a", "n = :a", "n BETWEEN :a AND :b"};
      int which = random.nextInt(conditions.length);
      Predicate<BigDecimal> expected = switch (which) {
        case 0 -> n -> n.compareTo(low) < 0;
        case 1 -> n -> n.compareTo(low) <= 0;
        case 2 -> n -> n.compareTo(low) > 0;
        case 3 -> n -> n.compareTo(low) >= 0;
        case 4 -> n -> n.compareTo(low) == 0;
        default -> n -> n.compareTo(low) >= 0 && n.compareTo(high) <= 0;
      };
      Map<String, AttributeValue> values = which == 5
          ? item(":h", "x", ":a", StoreFixture.n(low.toPlainString()), ":b", StoreFixture.n(high.toPlainString()))
          : item(":h", "x", ":a", StoreFixture.n(low.toPlainString()));
      boolean forward = random.nextBoolean();
      List<BigDecimal> want = keys.stream().filter(expected).sorted(forward ? Comparator.naturalOrder() : Comparator.reverseOrder()).toList();
      List<BigDecimal> got = new ArrayList<>();
      for (Map<String, AttributeValue> item : all(new QueryRequest("nums").withKeyConditionExpression("h = :h AND " + conditions[which])
          .withExpressionAttributeValues(values).withScanIndexForward(forward), 1 + random.nextInt(40))) {
        got.add(new BigDecimal(item.get("n").getN()));
      }
      assertEquals(want.size(), got.size(), conditions[which] + " " + low + " " + high);
      for (int i = 0; i < want.size(); i++) {
        assertEquals(0, want.get(i).compareTo(got.get(i)), conditions[which] + " at " + i);
      }
    }
  }

  @Test
  void stringKeysPageInUtf8ByteOrderAndBeginsWithMatchesPrefixes() {
    dynamo.createTable(new CreateTableRequest().withTableName("strs")
        .withKeySchema(new KeySchemaElement("h", KeyType.HASH), new KeySchemaElement("s", KeyType.RANGE))
        .withAttributeDefinitions(new AttributeDefinition("h", "S"), new AttributeDefinition("s", "S")));
    Random random = new Random(4141);
    String alphabet = "aAbZ0~é中😀\u007f";
    List<String> keys = new ArrayList<>();
    while (keys.size() < 200) {
      StringBuilder key = new StringBuilder();
      for (int i = 1 + random.nextInt(4); i > 0; i--) {
        key.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
      }
      if (!keys.contains(key.toString())) {
        keys.add(key.toString());
        dynamo.putItem("strs", item("h", "x", "s", key.toString()));
      }
    }
    Comparator<String> byUtf8 = (x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8));
    for (int round = 0; round < 40; round++) {
      String key = keys.get(random.nextInt(keys.size()));
      String prefix = key.substring(0, key.offsetByCodePoints(0, 1));
      boolean begins = random.nextBoolean();
      List<String> want = keys.stream().filter(s -> begins ? s.startsWith(prefix) : byUtf8.compare(s, key) > 0).sorted(byUtf8).toList();
      List<String> got = new ArrayList<>();
      for (Map<String, AttributeValue> item : all(new QueryRequest("strs")
          .withKeyConditionExpression(begins ? "h = :h AND begins_with(s, :a)" : "h = :h AND s > :a")
          .withExpressionAttributeValues(item(":h", "x", ":a", begins ? prefix : key)), 1 + random.nextInt(30))) {
        got.add(item.get("s").getS());
      }
      assertEquals(want, got, (begins ? "begins_with " : "> ") + (begins ? prefix : key));
    }
  }

  /** Every item the query finds, page by page. */
  private List<Map<String, AttributeValue>> all(QueryRequest query, int pageSize) {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      QueryResult page = dynamo.query(query.clone().withLimit(pageSize).withExclusiveStartKey(start));
      items.addAll(page.getItems());
      start = page.getLastEvaluatedKey();
    } while (start != null);
    return items;
  }
}
