package io.parley.storage;

import com.amazonaws.handlers.AsyncHandler;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemRequest;
import com.amazonaws.services.dynamodbv2.model.BatchWriteItemResult;
import com.amazonaws.services.dynamodbv2.model.ReturnConsumedCapacity;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Group commit across entities: journal writes that arrive while earlier ones are in flight are
 * sent together, up to DynamoDB's 25 items per BatchWriteItem. Every entity already writes
 * whatever it gathered in one request; this merges the requests of many entities (a thousand
 * conversations each writing one message) into a few. Each caller learns which of its own items
 * were not processed, exactly as if it had sent its request alone.
 *
 * <p>Items are independent in a BatchWriteItem, as they are in the journal's own batches; a
 * batch never holds the same key twice (DynamoDB refuses that).
 */
final class WriteCoalescer {
  static final int MAX_ITEMS = 25;

  /** Sends one merged request. */
  interface Sender {
    void send(BatchWriteItemRequest request, AsyncHandler<BatchWriteItemRequest, BatchWriteItemResult> handler);
  }

  /** One caller's request: its items left to answer and those not processed. */
  private static final class Caller {
    final BiConsumer<Map<String, List<WriteRequest>>, Exception> done;
    final Map<String, List<WriteRequest>> unprocessed = new HashMap<>();
    int unanswered;
    boolean finished;

    Caller(BiConsumer<Map<String, List<WriteRequest>>, Exception> done, int items) {
      this.done = done;
      this.unanswered = items;
    }
  }

  private record Part(String table, WriteRequest write, String key, Caller caller) {}

  private final Sender sender;
  private final int maxInFlight;
  private final ArrayDeque<Part> waiting = new ArrayDeque<>();
  private int inFlight;

  WriteCoalescer(Sender sender, int maxInFlight) {
    this.sender = sender;
    this.maxInFlight = maxInFlight;
  }

  /**
   * Queues {@code writes} (per table); {@code done} gets the caller's unprocessed items, or the
   * failure of a request that carried any of them.
   */
  void submit(Map<String, List<WriteRequest>> writes, BiConsumer<Map<String, List<WriteRequest>>, Exception> done) {
    int items = writes.values().stream().mapToInt(List::size).sum();
    if (items == 0) {
      done.accept(Map.of(), null);
      return;
    }
    Caller caller = new Caller(done, items);
    synchronized (this) {
      writes.forEach((table, list) -> list.forEach(write -> waiting.add(new Part(table, write, key(table, write), caller))));
    }
    sendWhatFits();
  }

  private void sendWhatFits() {
    while (true) {
      List<Part> batch = new ArrayList<>();
      synchronized (this) {
        if (inFlight >= maxInFlight || waiting.isEmpty()) {
          return;
        }
        Set<String> keys = new HashSet<>();
        while (!waiting.isEmpty() && batch.size() < MAX_ITEMS && keys.add(waiting.peek().key())) {
          batch.add(waiting.poll());
        }
        inFlight++;
      }
      send(batch);
    }
  }

  private void send(List<Part> batch) {
    Map<String, List<WriteRequest>> items = new LinkedHashMap<>();
    batch.forEach(part -> items.computeIfAbsent(part.table(), t -> new ArrayList<>()).add(part.write()));
    BatchWriteItemRequest request = new BatchWriteItemRequest().withRequestItems(items)
        .withReturnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
    AsyncHandler<BatchWriteItemRequest, BatchWriteItemResult> handler = new AsyncHandler<>() {
      @Override
      public void onError(Exception failure) {
        answer(batch, Set.of(), failure);
      }

      @Override
      public void onSuccess(BatchWriteItemRequest sent, BatchWriteItemResult result) {
        Set<String> notProcessed = new HashSet<>();
        if (result.getUnprocessedItems() != null) {
          result.getUnprocessedItems().forEach((table, writes) -> writes.forEach(w -> notProcessed.add(key(table, w))));
        }
        answer(batch, notProcessed, null);
      }
    };
    try {
      sender.send(request, handler);
    } catch (RuntimeException failure) {
      handler.onError(failure);
    }
  }

  private void answer(List<Part> batch, Set<String> notProcessed, Exception failure) {
    List<Caller> finished = new ArrayList<>();
    synchronized (this) {
      inFlight--;
      for (Part part : batch) {
        Caller caller = part.caller();
        if (notProcessed.contains(part.key())) {
          caller.unprocessed.computeIfAbsent(part.table(), t -> new ArrayList<>()).add(part.write());
        }
        caller.unanswered--;
        if (!caller.finished && (failure != null || caller.unanswered == 0)) {
          caller.finished = true;
          finished.add(caller);
        }
      }
    }
    finished.forEach(caller -> caller.done.accept(failure == null ? caller.unprocessed : null, failure));
    sendWhatFits();
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
