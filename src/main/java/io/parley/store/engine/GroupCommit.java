package io.parley.store.engine;

import io.parley.store.model.StoreException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one writer. It takes every write waiting, runs them in one SQLite transaction (each inside
 * its own SAVEPOINT, so a refused write leaves the others alone), commits once (one sync), and
 * only then answers them all. The caller's thread waits for its answer; that wait is the only
 * hand-off a write makes.
 */
final class GroupCommit implements AutoCloseable {
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
  private volatile boolean closing;

  GroupCommit(Sql sql) {
    this.sql = sql;
    this.thread = new Thread(this::run, "parley-store-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Runs {@code write} in the next group; returns once it is committed, or throws its refusal. */
  <T> T submit(Write<T> write) {
    if (closing) {
      throw new StoreException(StoreException.Code.InternalServerError, "The store is closed");
    }
    CompletableFuture<T> answer = new CompletableFuture<>();
    waiting.add(new Pending<>(write, answer));
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return answer.get();
        } catch (InterruptedException interruption) {
          // The write may already be committed: wait for its answer, then pass the interrupt on.
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

  private void runGroup(List<Pending<?>> group) {
    Object[] results = new Object[group.size()];
    Throwable[] failures = new Throwable[group.size()];
    List<Runnable> afterCommit = new ArrayList<>();
    try {
      sql.executePrepared("BEGIN IMMEDIATE");
      for (int i = 0; i < group.size(); i++) {
        List<Runnable> own = new ArrayList<>();
        sql.executePrepared("SAVEPOINT w");
        try {
          results[i] = group.get(i).write().run(sql, own);
          sql.executePrepared("RELEASE w");
          afterCommit.addAll(own);
        } catch (RuntimeException | SQLException refused) {
          sql.executePrepared("ROLLBACK TO w");
          sql.executePrepared("RELEASE w");
          failures[i] = refused;
        }
      }
      sql.executePrepared("COMMIT");
      commits.incrementAndGet();
    } catch (SQLException | RuntimeException commitFailed) {
      try {
        sql.execute("ROLLBACK");
      } catch (SQLException ignored) {
        // No transaction left to roll back.
      }
      StoreException failure = new StoreException(StoreException.Code.InternalServerError,
          "The store could not commit: " + commitFailed.getMessage(), commitFailed);
      group.forEach(pending -> pending.answer().completeExceptionally(failure));
      return;
    }
    afterCommit.forEach(Runnable::run);
    for (int i = 0; i < group.size(); i++) {
      answer(group.get(i), results[i], failures[i]);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void answer(Pending<T> pending, Object result, Throwable failure) {
    if (failure == null) {
      pending.answer().complete((T) result);
    } else if (failure instanceof SQLException sqlFailure) {
      pending.answer().completeExceptionally(new StoreException(StoreException.Code.InternalServerError,
          "Store write failed: " + sqlFailure.getMessage(), sqlFailure));
    } else {
      pending.answer().completeExceptionally(failure);
    }
  }

  /** Answers every write already submitted, then stops the writer. */
  @Override
  public void close() throws InterruptedException {
    closing = true;
    thread.join();
  }
}
