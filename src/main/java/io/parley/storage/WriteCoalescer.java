package io.parley.storage;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemResult;
import com.amazonaws.services.dynamodbv2.model.ReturnConsumedCapacity;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Group commit across entities: journal writes that arrive while earlier ones are in flight are
 * sent together, up to DynamoDB's 25 items per BatchWriteItem. Every entity already writes
 * whatever it gathered in one request; this merges the requests of many entities (a thousand
 * conversations each writing one message) into a few. Each caller learns which of its own items
 * were not processed, exactly as if it had sent its request alone.
 *
 * <p>Items are independent in a BatchWriteItem, as they are in the journal's own batches; a
 * batch never holds the same key twice (DynamoDB refuses that). {@link TransactionCoalescer}
 * sends them as transactions instead.
 */
class WriteCoalescer extends GroupCommit<WriteCoalescer.Part> {
  static final int MAX_ITEMS = 25;

  /** Sends one merged request. */
  interface Sender extends GroupCommit.Sender<BatchWriteItemRequest, BatchWriteItemResult> {}

  /** One item of a caller's request; the caller's answer is its unprocessed items. */
  record Part(String table, WriteRequest write, String key, Caller<Map<String, List<WriteRequest>>> caller)
      implements GroupCommit.Part {}

  private final Sender sender;

  WriteCoalescer(Sender sender, int maxInFlight) {
    this(sender, maxInFlight, null);
  }

  /** {@code afterTurn}: see {@link GroupCommit}. */
  WriteCoalescer(Sender sender, int maxInFlight, Executor afterTurn) {
    super(maxInFlight, afterTurn);
    this.sender = sender;
  }

  /** For a subclass that sends its batches otherwise. */
  WriteCoalescer(int maxInFlight, Executor afterTurn) {
    this(null, maxInFlight, afterTurn);
  }

  /**
   * Queues {@code writes} (per table); {@code done} gets the caller's unprocessed items, or the
   * failure of a request that carried any of them.
   */
  void submit(Map<String, List<WriteRequest>> writes, BiConsumer<Map<String, List<WriteRequest>>, Exception> done) {
    Caller<Map<String, List<WriteRequest>>> caller = new Caller<>(new HashMap<>(), done);
    List<Part> parts = new ArrayList<>();
    writes.forEach((table, list) -> list.forEach(write -> parts.add(new Part(table, write, key(table, write), caller))));
    submit(caller, parts);
  }

  @Override
  List<Part> take(Deque<Part> waiting) {
    return take(waiting, MAX_ITEMS, Long.MAX_VALUE);
  }

  /** The waiting parts in order up to {@code maxItems} of at most {@code maxBytes} together, no key twice; the first in any case. */
  static List<Part> take(Deque<Part> waiting, int maxItems, long maxBytes) {
    List<Part> batch = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    long bytes = 0;
    while (!waiting.isEmpty() && batch.size() < maxItems) {
      Part next = waiting.peek();
      if (maxBytes < Long.MAX_VALUE) { // sized only where a bound applies: this runs for every journal write
        bytes += ItemSize.of(next.write());
      }
      if ((!batch.isEmpty() && bytes > maxBytes) || !keys.add(next.key())) {
        break;
      }
      batch.add(waiting.poll());
    }
    return batch;
  }

  @Override
  void send(List<Part> batch) {
    Map<String, List<WriteRequest>> items = new LinkedHashMap<>();
    batch.forEach(part -> items.computeIfAbsent(part.table(), t -> new ArrayList<>()).add(part.write()));
    BatchWriteItemRequest request = new BatchWriteItemRequest().withRequestItems(items)
        .withReturnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
    send(batch, request, sender, WriteCoalescer::answers);
  }

  /** Each part's answer: its item back, if DynamoDB left it unprocessed. */
  private static Consumer<Part> answers(BatchWriteItemResult result) {
    Set<String> notProcessed = new HashSet<>();
    if (result.getUnprocessedItems() != null) {
      result.getUnprocessedItems().forEach((table, writes) -> writes.forEach(w -> notProcessed.add(key(table, w))));
    }
    return part -> {
      if (notProcessed.contains(part.key())) {
        part.caller().answer.computeIfAbsent(part.table(), t -> new ArrayList<>()).add(part.write());
      }
    };
  }

  /** The item's key (the journal's partition and sort key), so a batch never repeats one. */
  private static String key(String table, WriteRequest write) {
    Map<String, AttributeValue> item = write.getPutRequest() != null
        ? write.getPutRequest().getItem()
        : write.getDeleteRequest().getKey();
    AttributeValue partition = item.get("par");
    AttributeValue sort = item.get("num");
    if (partition == null || sort == null) {
      return table + "\u0000" + item; // not a journal item: its whole content identifies it
    }
    return table + "\u0000" + partition.getS() + "\u0000" + sort.getN();
  }
}
