package io.parley.storage;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchGetItemResult;
import com.amazonaws.services.dynamodbv2.model.KeysAndAttributes;
import com.amazonaws.util.BinaryUtils;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Group commit for reads: BatchGetItems of many callers that arrive while earlier ones are in
 * flight are sent together, up to DynamoDB's 100 keys per BatchGetItem. Every entity that
 * recovers reads its sequence-number keys with one; a login storm recovers hundreds of entities
 * at once, and this turns their small reads into a few full ones.
 *
 * <p>Only keys of one table read with identical settings (consistency, projection) share a
 * request, and a key several callers ask for is read once. Each caller gets the items of its own
 * keys, and back those of its keys DynamoDB left unprocessed (throttling, or the 16 MB response
 * limit, which a merged read reaches sooner), exactly as if it had sent its request alone.
 * Consumed capacity, which cannot be split by caller, is not asked for.
 */
final class ReadCoalescer extends GroupCommit<ReadCoalescer.Part> {
  static final int MAX_KEYS = 100;

  /** Sends one merged request. */
  interface Sender extends GroupCommit.Sender<BatchGetItemRequest, BatchGetItemResult> {}

  /** How a table's keys are read: everything in KeysAndAttributes but the keys. */
  private record Reading(String table, Boolean consistentRead, String projectionExpression,
      List<String> attributesToGet, Map<String, String> expressionAttributeNames) {
    static Reading of(String table, KeysAndAttributes read) {
      return new Reading(table, read.getConsistentRead(), read.getProjectionExpression(), read.getAttributesToGet(),
          read.getExpressionAttributeNames());
    }

    KeysAndAttributes keys(List<Map<String, AttributeValue>> keys) {
      return new KeysAndAttributes().withKeys(keys).withConsistentRead(consistentRead)
          .withProjectionExpression(projectionExpression).withAttributesToGet(attributesToGet)
          .withExpressionAttributeNames(expressionAttributeNames);
    }
  }

  /** One key of a caller's request; {@code canonical} is the key as DynamoDB returns it. */
  record Part(Reading reading, Map<String, AttributeValue> key, Map<String, AttributeValue> canonical,
      Caller<BatchGetItemResult> caller) implements GroupCommit.Part {}

  private final Sender sender;

  ReadCoalescer(Sender sender, int maxInFlight) {
    super(maxInFlight);
    this.sender = sender;
  }

  /**
   * Whether these reads can be merged: their items must carry their keys, or they could not be
   * told apart.
   */
  static boolean mergeable(Map<String, KeysAndAttributes> reads) {
    return reads != null && !reads.isEmpty() && reads.values().stream().allMatch(ReadCoalescer::returnsKeys);
  }

  private static boolean returnsKeys(KeysAndAttributes read) {
    if (read.getKeys() == null || read.getKeys().isEmpty()) {
      return false;
    }
    Set<String> projected = new HashSet<>();
    if (read.getAttributesToGet() != null) {
      projected.addAll(read.getAttributesToGet());
    } else if (read.getProjectionExpression() != null) {
      Map<String, String> names = read.getExpressionAttributeNames() == null ? Map.of() : read.getExpressionAttributeNames();
      for (String path : read.getProjectionExpression().split(",")) {
        projected.add(names.getOrDefault(path.trim(), path.trim()));
      }
    } else {
      return true; // whole items
    }
    return read.getKeys().stream().allMatch(key -> projected.containsAll(key.keySet()));
  }

  /**
   * Queues {@code reads} (per table, {@link #mergeable}); {@code done} gets the caller's items
   * and unprocessed keys, or the failure of a request that carried any of its keys.
   */
  void submit(Map<String, KeysAndAttributes> reads, BiConsumer<BatchGetItemResult, Exception> done) {
    Caller<BatchGetItemResult> caller = new Caller<>(
        new BatchGetItemResult().withResponses(new LinkedHashMap<>()).withUnprocessedKeys(new LinkedHashMap<>()), done);
    List<Part> parts = new ArrayList<>();
    reads.forEach((table, read) -> {
      caller.answer.getResponses().put(table, new ArrayList<>()); // as DynamoDB answers: every table, found or not
      Reading reading = Reading.of(table, read);
      Map<Map<String, AttributeValue>, Map<String, AttributeValue>> keys = new LinkedHashMap<>();
      read.getKeys().forEach(key -> keys.putIfAbsent(canonical(key), key));
      keys.forEach((canonical, key) -> parts.add(new Part(reading, key, canonical, caller)));
    });
    submit(caller, parts);
  }

  /** The first waiting key's reading, with as many keys of the same reading as fit. */
  @Override
  List<Part> take(Deque<Part> waiting) {
    Reading reading = waiting.peek().reading();
    Set<Map<String, AttributeValue>> keys = new HashSet<>();
    List<Part> batch = new ArrayList<>();
    for (Iterator<Part> parts = waiting.iterator(); parts.hasNext(); ) {
      Part part = parts.next();
      if (part.reading().equals(reading) && (keys.contains(part.canonical()) || keys.size() < MAX_KEYS)) {
        keys.add(part.canonical());
        batch.add(part);
        parts.remove();
      }
    }
    return batch;
  }

  @Override
  void send(List<Part> batch) {
    Reading reading = batch.get(0).reading();
    Map<Map<String, AttributeValue>, Map<String, AttributeValue>> keys = new LinkedHashMap<>();
    batch.forEach(part -> keys.putIfAbsent(part.canonical(), part.key()));
    BatchGetItemRequest request = new BatchGetItemRequest()
        .withRequestItems(Map.of(reading.table(), reading.keys(new ArrayList<>(keys.values()))));
    send(batch, request, sender, result -> answers(reading.table(), batch.get(0).key().keySet(), result));
  }

  /** Each part's answer: its item, if DynamoDB found it, or its key back, if DynamoDB left it unprocessed. */
  private static Consumer<Part> answers(String table, Set<String> keyNames, BatchGetItemResult result) {
    Map<Map<String, AttributeValue>, Map<String, AttributeValue>> found = new HashMap<>();
    if (result.getResponses() != null && result.getResponses().get(table) != null) {
      for (Map<String, AttributeValue> item : result.getResponses().get(table)) {
        Map<String, AttributeValue> key = new HashMap<>();
        keyNames.forEach(name -> key.put(name, item.get(name)));
        found.put(canonical(key), item);
      }
    }
    Set<Map<String, AttributeValue>> unprocessed = new HashSet<>();
    if (result.getUnprocessedKeys() != null && result.getUnprocessedKeys().get(table) != null) {
      result.getUnprocessedKeys().get(table).getKeys().forEach(key -> unprocessed.add(canonical(key)));
    }
    return part -> {
      BatchGetItemResult answer = part.caller().answer;
      Map<String, AttributeValue> item = found.get(part.canonical());
      if (item != null) {
        answer.getResponses().get(table).add(new HashMap<>(item)); // callers of one key each get their own
      } else if (unprocessed.contains(part.canonical())) {
        answer.getUnprocessedKeys().computeIfAbsent(table, t -> part.reading().keys(new ArrayList<>()))
            .getKeys().add(part.key());
      }
    };
  }

  /** A key as DynamoDB returns it (a number in its canonical form: "1.0" comes back as "1"). */
  private static Map<String, AttributeValue> canonical(Map<String, AttributeValue> key) {
    Map<String, AttributeValue> canonical = new HashMap<>();
    key.forEach((name, value) -> {
      if (value != null && value.getN() != null) {
        value = new AttributeValue().withN(new BigDecimal(value.getN()).stripTrailingZeros().toPlainString());
      } else if (value != null && value.getB() != null) {
        value = new AttributeValue().withB(ByteBuffer.wrap(BinaryUtils.copyAllBytesFrom(value.getB()))); // a fixed copy
      }
      canonical.put(name, value);
    });
    return canonical;
  }
}
