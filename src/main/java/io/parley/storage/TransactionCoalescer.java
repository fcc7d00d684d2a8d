package io.parley.storage;

import com.amazonaws.handlers.AsyncHandler;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItem;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsResult;
import com.amazonaws.services.dynamodbv2.model.TransactionCanceledException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Group commit across entities as {@link WriteCoalescer}, each merged request a TransactWriteItems
 * of up to 100 items and 3.5 MB (DynamoDB's limits: 100 items, 4 MB). Four times the items of a
 * BatchWriteItem a request; DynamoDB bills two write units an item for it (see {@link RowWrites}). A transaction cancelled for a
 * conflict or throttling leaves every item it carried unprocessed, for its callers to send again.
 */
final class TransactionCoalescer extends WriteCoalescer {
  static final int MAX_ITEMS = 100;
  static final long MAX_BYTES = 3_500_000;

  /** Sends one merged transaction. */
  interface Sender extends GroupCommit.Sender<TransactWriteItemsRequest, TransactWriteItemsResult> {}

  private final Sender sender;

  TransactionCoalescer(Sender sender, int maxInFlight) {
    this(sender, maxInFlight, null);
  }

  /** {@code afterTurn}: see {@link GroupCommit}. */
  TransactionCoalescer(Sender sender, int maxInFlight, Executor afterTurn) {
    super(maxInFlight, afterTurn);
    this.sender = sender;
  }

  @Override
  List<Part> take(Deque<Part> waiting) {
    return take(waiting, MAX_ITEMS, MAX_BYTES);
  }

  @Override
  void send(List<Part> batch) {
    List<TransactWriteItem> items = batch.stream().map(part -> TransactionWrites.item(part.table(), part.write())).toList();
    send(batch, new TransactWriteItemsRequest().withTransactItems(items), this::sendTransaction, TransactionCoalescer::answers);
  }

  /** Answers {@code true} once written, {@code false} when cancelled for a reason another attempt gets past. */
  private void sendTransaction(TransactWriteItemsRequest request, AsyncHandler<TransactWriteItemsRequest, Boolean> handler) {
    sender.send(request, new AsyncHandler<>() {
      @Override
      public void onError(Exception failure) {
        if (failure instanceof TransactionCanceledException cancelled && TransactionWrites.passing(cancelled)) {
          handler.onSuccess(request, false);
        } else {
          handler.onError(failure);
        }
      }

      @Override
      public void onSuccess(TransactWriteItemsRequest sent, TransactWriteItemsResult result) {
        handler.onSuccess(sent, true);
      }
    });
  }

  private static Consumer<Part> answers(Boolean written) {
    return part -> {
      if (!written) {
        part.caller().answer.computeIfAbsent(part.table(), t -> new ArrayList<>()).add(part.write());
      }
    };
  }
}
