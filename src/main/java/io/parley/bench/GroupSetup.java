package io.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Builds a group of any size the way a client must: a create names at most 1,000 ids, so the
 * creator makes it with the first 999 others and adds the rest in pages of 1,000 over HTTP, a few
 * pages at a time (a stampede would measure the server's queue, not the build). Members are just
 * ids: the server needs no login of theirs.
 */
final class GroupSetup {
  /** Ids one request may name (the server's limit), the creator not counted. */
  static final int PAGE = 1000;
  static final int CREATE_OTHERS = PAGE - 1;
  /** Add requests under way at once. */
  static final int PAGES_IN_FLIGHT = 4;

  /** The group, how many add requests it took, and the wall time of create plus adds. */
  record Built(String conversationId, int memberPages, long nanos) {}

  private GroupSetup() {}

  /** {@code others}: every member but the creator, whose token authorizes every call. */
  static Built build(ParleyHttp api, String creatorToken, String title, List<String> others)
      throws InterruptedException {
    long start = System.nanoTime();
    int first = Math.min(CREATE_OTHERS, others.size());
    String group = api.createGroup(creatorToken, title, others.subList(0, first));
    Semaphore slots = new Semaphore(PAGES_IN_FLIGHT);
    List<CompletableFuture<Void>> pages = new ArrayList<>();
    for (int from = first; from < others.size(); from += PAGE) {
      List<String> page = others.subList(from, Math.min(others.size(), from + PAGE));
      slots.acquire();
      if (pages.stream().anyMatch(CompletableFuture::isCompletedExceptionally)) {
        slots.release();
        break; // the join below throws that failure; sending more pages would only add to it
      }
      pages.add(api.addMembers(creatorToken, group, page).whenComplete((done, failure) -> slots.release()));
    }
    CompletableFuture.allOf(pages.toArray(CompletableFuture[]::new)).join();
    return new Built(group, pages.size(), System.nanoTime() - start);
  }
}
