package io.parley.storage;

import com.amazonaws.AmazonWebServiceRequest;
import com.amazonaws.handlers.AsyncHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Group commit of DynamoDB requests across callers: the parts of many callers' requests wait
 * while {@code maxInFlight} merged requests are under way and go out together when one returns;
 * with fewer under way a part goes out at once, so nothing waits for company. Each caller is
 * answered once all its parts are, or when the first request carrying one of them fails.
 * Subclasses decide what one merged request may hold and what each part's answer is.
 *
 * <p>"At once" can mean after the submitting thread's turn: given an executor, the request goes
 * out from a task queued there, so callers that one event set going on that thread (a message's
 * copies written by each member's entity, the journal taking their writes one after another)
 * are in it too. Without one, the first caller's part goes out alone and the next ones wait for
 * its answer: one request (and, on the embedded store, one sync) more for each such burst.
 */
abstract class GroupCommit<P extends GroupCommit.Part> {
  /** Sends one merged request. */
  interface Sender<Q extends AmazonWebServiceRequest, S> {
    void send(Q request, AsyncHandler<Q, S> handler);
  }

  /** A piece of one caller's request (an item to write, a key to read). */
  interface Part {
    Caller<?> caller();
  }

  /** One caller: its answer, built up as its parts are answered, and whom to give it to. */
  static final class Caller<R> {
    final R answer;
    private final BiConsumer<R, Exception> done;
    private int unanswered;
    private boolean finished;

    Caller(R answer, BiConsumer<R, Exception> done) {
      this.answer = answer;
      this.done = done;
    }

    /** Counts one part answered; true when this completes the caller. */
    private boolean answered(boolean failed) {
      unanswered--;
      if (finished || !(failed || unanswered == 0)) {
        return false;
      }
      finished = true;
      return true;
    }

    private void finish(Exception failure) {
      done.accept(failure == null ? answer : null, failure);
    }
  }

  private final int maxInFlight;
  /** Where a request that could go out at once is sent from; null: from the submitting thread. */
  private final Executor afterTurn;
  private final ArrayDeque<P> waiting = new ArrayDeque<>();
  private int inFlight;
  private boolean sendQueued;

  GroupCommit(int maxInFlight) {
    this(maxInFlight, null);
  }

  GroupCommit(int maxInFlight, Executor afterTurn) {
    this.maxInFlight = maxInFlight;
    this.afterTurn = afterTurn;
  }

  /** Takes the parts of the next merged request out of {@code waiting} (the first one at least); called under the lock. */
  abstract List<P> take(Deque<P> waiting);

  /** Sends a merged request carrying {@code batch}, through {@link #send(List, AmazonWebServiceRequest, Sender, Function)}. */
  abstract void send(List<P> batch);

  /** Queues the parts of {@code caller}'s request. */
  final void submit(Caller<?> caller, List<P> parts) {
    if (parts.isEmpty()) {
      caller.finish(null);
      return;
    }
    synchronized (this) {
      caller.unanswered = parts.size();
      waiting.addAll(parts);
      if (afterTurn != null) {
        if (sendQueued || inFlight >= maxInFlight) {
          return; // the queued task, or the answer of a request under way, sends these
        }
        sendQueued = true;
      }
    }
    if (afterTurn == null) {
      sendWhatFits();
      return;
    }
    try {
      afterTurn.execute(this::sendAfterTurn);
    } catch (RejectedExecutionException shuttingDown) {
      sendAfterTurn();
    }
  }

  private void sendAfterTurn() {
    synchronized (this) {
      sendQueued = false;
    }
    sendWhatFits();
  }

  private void sendWhatFits() {
    while (true) {
      List<P> batch;
      synchronized (this) {
        if (inFlight >= maxInFlight || waiting.isEmpty()) {
          return;
        }
        batch = take(waiting);
        inFlight++;
      }
      send(batch);
    }
  }

  /**
   * Sends {@code request}, which carries {@code batch}; {@code answers} turns its result into
   * what each part records in its caller's answer (under the lock).
   */
  final <Q extends AmazonWebServiceRequest, S> void send(
      List<P> batch, Q request, Sender<Q, S> sender, Function<S, Consumer<P>> answers) {
    AsyncHandler<Q, S> handler = new AsyncHandler<>() {
      @Override
      public void onError(Exception failure) {
        answer(batch, part -> {}, failure);
      }

      @Override
      public void onSuccess(Q sent, S result) {
        Consumer<P> record;
        try {
          record = answers.apply(result);
        } catch (RuntimeException unexpected) {
          onError(unexpected); // a result it cannot read must still end the request
          return;
        }
        answer(batch, record, null);
      }
    };
    try {
      sender.send(request, handler);
    } catch (RuntimeException failure) {
      handler.onError(failure);
    }
  }

  private void answer(List<P> batch, Consumer<P> record, Exception failure) {
    List<Caller<?>> finished = new ArrayList<>();
    synchronized (this) {
      inFlight--;
      for (P part : batch) {
        if (failure == null) {
          record.accept(part);
        }
        if (part.caller().answered(failure != null)) {
          finished.add(part.caller());
        }
      }
    }
    finished.forEach(caller -> caller.finish(failure));
    sendWhatFits();
  }
}
