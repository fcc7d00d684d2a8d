package io.parley.store.engine;

import io.parley.store.model.Requests.TransactWriteItems;
import io.parley.store.model.StoreException;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * TransactWriteItems' ClientRequestToken: the same request with the same token within ten
 * minutes is answered as done, not applied again (an SDK retries a call it got no answer for);
 * another request with a used token is refused, as DynamoDB does. Kept in memory: after a restart
 * a retried transaction is applied again.
 */
final class TransactionTokens {
  private static final long TEN_MINUTES = TimeUnit.MINUTES.toNanos(10);

  private record Used(TransactWriteItems request, long at) {}

  private final Map<String, Used> used = new ConcurrentHashMap<>();

  /** True if {@code request} was committed with its token already; refuses a token used by another request. */
  boolean done(TransactWriteItems request) {
    String token = request.clientRequestToken();
    if (token == null) {
      return false;
    }
    Used earlier = used.get(token);
    if (earlier == null || System.nanoTime() - earlier.at() > TEN_MINUTES) {
      return false;
    }
    if (!earlier.request().equals(request)) {
      throw new StoreException(StoreException.Code.IdempotentParameterMismatchException,
          "Transaction request with the same ClientRequestToken was already made with different parameters");
    }
    return true;
  }

  /** Remembers that {@code request} was committed. */
  void committed(TransactWriteItems request) {
    if (request.clientRequestToken() == null) {
      return;
    }
    long now = System.nanoTime();
    used.put(request.clientRequestToken(), new Used(request, now));
    for (Iterator<Used> entries = used.values().iterator(); entries.hasNext(); ) {
      if (now - entries.next().at() > TEN_MINUTES) {
        entries.remove();
      }
    }
  }
}
