package io.parley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * P pairs of users, each on its own connection: user 2i+1 sends to user 2i+2 in their direct
 * conversation. Shared by the closed-loop {@code pairs} and the open-loop {@code rate} scenarios.
 */
final class DirectPairs {
  private DirectPairs() {}

  static Report run(BenchContext ctx, int pairs, Traffic.Pacing pacing, Duration warmup, Duration duration)
      throws InterruptedException {
    if (pairs < 1) {
      throw new IllegalArgumentException("--pairs must be at least 1");
    }
    List<String> users = new ArrayList<>();
    for (int i = 1; i <= 2 * pairs; i++) {
      users.add(ctx.user("u", i));
    }
    List<String> tokens = Logins.tokens(ctx, users, ctx.inFlight);
    DeliveryTracker tracker = new DeliveryTracker(ctx.quiet);
    Traffic traffic = new Traffic(ctx, tracker, pacing, Long.MAX_VALUE);
    List<BenchClient> clients = Logins.connectAll(ctx, users, tokens, traffic);
    try {
      for (int i = 0; i < pairs; i++) {
        traffic.addSender(clients.get(2 * i), direct(users.get(2 * i), users.get(2 * i + 1)), 1);
      }
      return SteadyRun.run(ctx, traffic, tracker, warmup, duration).put("connections", clients.size());
    } finally {
      closeAll(clients);
    }
  }

  /** A direct conversation's id: "d:" and the two user ids, sorted, joined by ":". */
  static String direct(String a, String b) {
    return a.compareTo(b) <= 0 ? "d:" + a + ":" + b : "d:" + b + ":" + a;
  }

  /** Closes every client (each acks what it received first) and waits for all closes. */
  static void closeAll(List<BenchClient> clients) {
    CompletableFuture.allOf(clients.stream().map(BenchClient::close).toArray(CompletableFuture[]::new)).join();
  }
}
