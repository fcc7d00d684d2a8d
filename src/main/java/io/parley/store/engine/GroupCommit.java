package io.parley.store.engine;

import io.parley.store.model.StoreException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer. It takes every write waiting, runs them in one SQLite transaction (a refused
 * write leaves the others alone, see {@link #runGroup}), commits once (one sync), and only then
 * answers them all. A synchronous caller waits for its answer; an asynchronous one is answered
 * on the writer's thread. Either way that is the only hand-off a write makes.
 */
final class GroupCommit implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

  /** A write, run on the writer's connection inside a transaction. */
  @FunctionalInterface
  interface Write<T> {
    T run(Sql sql, List<Runnable> afterCommit) throws SQLException;
  }

  private static final int MOST_PER_TRANSACTION = 2000;

  private record Pending<T>(Write<T> write, CompletableFuture<T> answer) {}

  private final Sql sql;
  private final LinkedBlockingQueue<Pending<?>> waiting = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final AtomicLong commits = new AtomicLong();
  private final CommitFailures failures = new CommitFailures();
  private volatile boolean closing;

  GroupCommit(Sql sql) {
    this.sql = sql;
    this.thread = new Thread(this::run, "parley-store-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues {@code write} for the next group. The answer completes on the writer's thread once the
   * group is committed (or with the write's refusal): keep what depends on it short.
   */
  <T> CompletableFuture<T> enqueue(Write<T> write) {
    if (closing) {
      return CompletableFuture.failedFuture(new StoreException(StoreException.Code.InternalServerError, "The store is closed"));
    }
    CompletableFuture<T> answer = new CompletableFuture<>();
    waiting.add(new Pending<>(write, answer));
    return answer;
  }

  /** Runs {@code write} in the next group; returns once it is committed, or throws its refusal. */
  <T> T submit(Write<T> write) {
    return await(enqueue(write));
  }

  /**
   * The answer of {@code write}, waited for. An interrupt does not stop the wait (the write may be
   * committed already); it is passed on afterwards.
   */
  static <T> T await(CompletableFuture<T> answer) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return answer.get();
        } catch (InterruptedException interruption) {
          interrupted = true;
        } catch (ExecutionException failed) {
          Throwable cause = failed.getCause();
          if (cause instanceof RuntimeException runtime) {
            throw runtime;
          }
          throw new StoreException(StoreException.Code.InternalServerError, cause.toString(), cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** How many writes wait for the writer now. */
  int waiting() {
    return waiting.size();
  }

  /** How long ago (nanoseconds) the writer last failed to commit; empty if it never has. */
  OptionalLong sinceCommitFailed() {
    return failures.sinceLastFailure();
  }

  /** How many transactions the writer has committed. */
  long commits() {
    return commits.get();
  }

  private void run() {
    List<Pending<?>> group = new ArrayList<>();
    while (!closing || !waiting.isEmpty()) {
      try {
        Pending<?> first = waiting.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        waiting.drainTo(group, MOST_PER_TRANSACTION - 1);
        runGroup(group);
      } catch (InterruptedException stop) {
        break;
      } finally {
        group.clear();
      }
    }
  }

  /**
   * Runs and commits one group, and answers every write in it whatever happens: a throwable that
   * escaped here would end the writer's thread, and every write after it would wait for ever.
   * Every write is meant to be refused (a failed condition, an invalid update) before it changes
   * anything, so a refused write needs nothing undone and the group runs without savepoints. A
   * write that fails after changing rows would leave them half done: then the whole group is
   * rolled back and run again with a SAVEPOINT around each write.
   */
  private void runGroup(List<Pending<?>> group) {
    Outcome outcome;
    try {
      outcome = attempt(group, false);
      if (outcome == null) {
        outcome = attempt(group, true);
      }
    } catch (Throwable commitFailed) {
      sql.forgetPrepared();
      try {
        sql.execute("ROLLBACK");
      } catch (SQLException ignored) {
        // No transaction left to roll back (SQLite rolls back by itself on some failures).
      }
      failures.failed(group.size(), commitFailed);
      StoreException failure = new StoreException(StoreException.Code.InternalServerError,
          "The store could not commit: " + commitFailed.getMessage(), commitFailed);
      group.forEach(pending -> pending.answer().completeExceptionally(failure));
      return;
    }
    failures.committed();
    for (Runnable after : outcome.afterCommit()) {
      try {
        after.run();
      } catch (RuntimeException failed) {
        // The writes are committed, so they are answered as such.
        log.error("The store committed a group but could not update what it keeps in memory", failed);
      }
    }
    for (int i = 0; i < group.size(); i++) {
      answer(group.get(i), outcome.results()[i], outcome.failures()[i]);
    }
  }

  private record Outcome(Object[] results, Throwable[] failures, List<Runnable> afterCommit) {}

  /** One committed run of {@code group}, or null if it was rolled back to run with savepoints. */
  private Outcome attempt(List<Pending<?>> group, boolean savepoints) throws SQLException {
    Object[] results = new Object[group.size()];
    Throwable[] failures = new Throwable[group.size()];
    List<Runnable> afterCommit = new ArrayList<>();
    sql.executePrepared("BEGIN IMMEDIATE");
    for (int i = 0; i < group.size(); i++) {
      List<Runnable> own = new ArrayList<>();
      if (savepoints) {
        sql.executePrepared("SAVEPOINT w");
      }
      long updatesBefore = sql.updates();
      try {
        results[i] = group.get(i).write().run(sql, own);
        if (savepoints) {
          sql.executePrepared("RELEASE w");
        }
        afterCommit.addAll(own);
      } catch (Exception | Error refused) {
        if (refused instanceof SQLException failed && Sql.mayEndTransaction(failed)) {
          throw failed; // not this write's refusal: the group fails as one (see runGroup)
        }
        if (savepoints) {
          sql.executePrepared("ROLLBACK TO w");
          sql.executePrepared("RELEASE w");
        } else if (sql.updates() != updatesBefore) {
          sql.executePrepared("ROLLBACK");
          return null;
        }
        failures[i] = refused;
      }
    }
    sql.executePrepared("COMMIT");
    commits.incrementAndGet();
    return new Outcome(results, failures, afterCommit);
  }

  @SuppressWarnings("unchecked")
  private static <T> void answer(Pending<T> pending, Object result, Throwable failure) {
    if (failure == null) {
      pending.answer().complete((T) result);
    } else if (failure instanceof RuntimeException refusal) {
      pending.answer().completeExceptionally(refusal);
    } else {
      pending.answer().completeExceptionally(new StoreException(StoreException.Code.InternalServerError,
          "Store write failed: " + (failure.getMessage() == null ? failure : failure.getMessage()), failure));
    }
  }

  /** Answers every write already submitted, then stops the writer. */
  @Override
  public void close() throws InterruptedException {
    closing = true;
    thread.join();
    // A write queued while the writer was stopping is refused rather than left unanswered.
    StoreException closed = new StoreException(StoreException.Code.InternalServerError, "The store is closed");
    for (Pending<?> late = waiting.poll(); late != null; late = waiting.poll()) {
      late.answer().completeExceptionally(closed);
    }
  }
}
