package io.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Gets tokens and opens connections for many users, at most {@code inFlight} at a time: a burst of
 * thousands of simultaneous handshakes would measure the accept queue, not the server.
 */
final class Logins {
  /** The connections that came up (in the order of the users), and what failed. */
  record Ramp(List<BenchClient> clients, int failed, long nanos) {}

  private Logins() {}

  static List<String> tokens(BenchContext ctx, List<String> users, int inFlight) throws InterruptedException {
    List<CompletableFuture<String>> tokens = bounded(users, inFlight, ctx.api::token);
    List<String> result = new ArrayList<>(users.size());
    for (CompletableFuture<String> token : tokens) {
      result.add(token.join());
    }
    return result;
  }

  /**
   * Connects {@code users[i]} with {@code tokens[i]} and waits for each {@code hello}; records each
   * connect-to-hello time in {@code latency} (may be null). Failures are counted, not thrown.
   */
  static Ramp connect(BenchContext ctx, List<String> users, List<String> tokens, BenchClient.Handler handler,
      int inFlight, LatencyRecorder latency) throws InterruptedException {
    long start = System.nanoTime();
    List<Integer> indexes = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      indexes.add(i);
    }
    List<CompletableFuture<BenchClient>> connects = bounded(indexes, inFlight, i -> {
      long began = System.nanoTime();
      return ctx.client(users.get(i), handler).connect(ctx.http, ctx.webSocketUri(), tokens.get(i))
          .whenComplete((client, failure) -> {
            if (failure != null) {
              ctx.errors.client("connect_failed", users.get(i) + ": " + failure);
            } else if (latency != null) {
              latency.recordNanos(System.nanoTime() - began);
            }
          });
    });
    List<BenchClient> clients = new ArrayList<>();
    int failed = 0;
    for (CompletableFuture<BenchClient> connect : connects) {
      BenchClient client = connect.exceptionally(failure -> null).join();
      if (client == null) {
        failed++;
      } else {
        clients.add(client);
      }
    }
    return new Ramp(clients, failed, System.nanoTime() - start);
  }

  /** As {@link #connect}, but every connection must come up. */
  static List<BenchClient> connectAll(BenchContext ctx, List<String> users, List<String> tokens,
      BenchClient.Handler handler) throws InterruptedException {
    Ramp ramp = connect(ctx, users, tokens, handler, ctx.inFlight, null);
    if (ramp.failed() > 0) {
      ramp.clients().forEach(BenchClient::close);
      throw new IllegalStateException(ramp.failed() + " of " + users.size() + " connections failed; "
          + ctx.errors.toJson().path("client").path("first").asText());
    }
    return ramp.clients();
  }

  private static <T, R> List<CompletableFuture<R>> bounded(List<T> items, int inFlight,
      Function<T, CompletableFuture<R>> start) throws InterruptedException {
    Semaphore slots = new Semaphore(Math.max(1, inFlight));
    List<CompletableFuture<R>> futures = new ArrayList<>(items.size());
    for (T item : items) {
      slots.acquire();
      CompletableFuture<R> future;
      try {
        future = start.apply(item);
      } catch (RuntimeException e) {
        future = CompletableFuture.failedFuture(e);
      }
      futures.add(future.whenComplete((r, e) -> slots.release()));
    }
    return futures;
  }
}
