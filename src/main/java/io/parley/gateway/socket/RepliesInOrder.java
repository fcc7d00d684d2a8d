package io.parley.gateway.socket;

import io.parley.api.ApiError;
import io.parley.gateway.WireFormat;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The requests of one connection under way: answered concurrently, their replies taken in the
 * order the requests came, so that an ack or a read is durable before any later frame is
 * answered. Used on the stage's own thread; {@code answered} is how another thread says that a
 * reply came.
 */
final class RepliesInOrder {
  private final ClientSocketStage.Requests requests;
  private final Runnable answered;
  /** Oldest first, each with its reply (if any) once answered. */
  private final ArrayDeque<CompletableFuture<Optional<String>>> answering = new ArrayDeque<>(4);

  RepliesInOrder(ClientSocketStage.Requests requests, Runnable answered) {
    this.requests = requests;
    this.answered = answered;
  }

  /** Starts answering a whole client message ({@code text} null: it was binary); true if its reply is there already. */
  boolean add(String text) {
    CompletableFuture<Optional<String>> reply = text == null
        ? CompletableFuture.completedFuture(Optional.of(WireFormat.render(WireFormat.error(null,
            ApiError.badRequest("binary frames are not supported; send JSON text")))))
        : handle(text);
    answering.add(reply);
    if (!reply.isDone()) {
      reply.whenComplete((value, failure) -> answered.run());
    }
    return reply.isDone();
  }

  int underWay() {
    return answering.size();
  }

  /**
   * Hands on the replies answered at the head, in order, to {@code reply}; at one that failed,
   * hands it to {@code failed} and stops.
   */
  void takeAnswered(Consumer<String> reply, Consumer<CompletableFuture<?>> failed) {
    while (!answering.isEmpty() && answering.peek().isDone()) {
      CompletableFuture<Optional<String>> next = answering.poll();
      if (next.isCompletedExceptionally()) {
        failed.accept(next);
        return;
      }
      next.join().ifPresent(reply);
    }
  }

  /** A request that throws fails like one whose answer failed. */
  private CompletableFuture<Optional<String>> handle(String text) {
    try {
      return requests.handle(text).toCompletableFuture();
    } catch (RuntimeException failure) {
      return CompletableFuture.failedFuture(failure);
    }
  }
}
