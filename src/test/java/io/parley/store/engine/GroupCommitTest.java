package io.parley.store.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.store.model.StoreException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer commits every write that waits in one transaction, and a refused write alone. */
class GroupCommitTest {
  @TempDir Path dir;

  @Test
  void writesThatWaitTogetherShareOneCommitAndARefusalStaysAlone() throws Exception {
    try (Database database = new Database(dir)) {
      database.writer().execute("CREATE TABLE counted(n INTEGER PRIMARY KEY)");
      GroupCommit writer = new GroupCommit(database.writer());
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch blocking = new CountDownLatch(1);
      ExecutorService callers = Executors.newFixedThreadPool(65);
      try {
        // The first write holds the writer, so the next 64 all wait for it together.
        Future<?> first = callers.submit(() -> writer.submit((sql, after) -> {
          blocking.countDown();
          try {
            release.await();
          } catch (InterruptedException stopped) {
            throw new IllegalStateException(stopped);
          }
          return insert(sql, 0);
        }));
        blocking.await();
        long before = writer.commits();
        List<Future<Integer>> rest = new ArrayList<>();
        for (int i = 1; i <= 64; i++) {
          int n = i;
          rest.add(callers.submit(() -> writer.submit((sql, after) -> {
            if (n == 13) {
              insert(sql, 1000 + n);
              throw StoreException.conditionFailed();
            }
            return insert(sql, n);
          })));
        }
        while (writer.waiting() < 64) {
          Thread.onSpinWait();
        }
        release.countDown();
        first.get();
        for (int i = 0; i < rest.size(); i++) {
          if (i + 1 == 13) {
            int index = i;
            var failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> rest.get(index).get());
            assertTrue(failure.getCause() instanceof StoreException);
          } else {
            assertEquals(i + 1, rest.get(i).get());
          }
        }
        assertEquals(2, writer.commits() - before, "the blocked write's commit, then one for all 64 that waited");
        try (ResultSet count = database.writer().prepare("SELECT COUNT(*), MAX(n) FROM counted").executeQuery()) {
          count.next();
          assertEquals(64, count.getInt(1), "64 writes committed; the refused one left nothing behind");
          assertEquals(64, count.getInt(2));
        }
      } finally {
        callers.shutdownNow();
        writer.close();
      }
    }
  }

  private static int insert(Sql sql, int n) throws java.sql.SQLException {
    var insert = sql.prepare("INSERT INTO counted(n) VALUES (?)");
    insert.setInt(1, n);
    sql.update(insert);
    return n;
  }

  /**
   * An Error inside a write (a class missing from the jar, a stack overflow) or a failing step
   * after the commit once ended the writer's thread: that write and every later one waited for
   * ever, and the node hung instead of failing.
   */
  @Test
  void aWriteThatThrowsAnErrorIsRefusedAloneAndTheWriterGoesOn() throws Exception {
    try (Database database = new Database(dir)) {
      database.writer().execute("CREATE TABLE counted(n INTEGER PRIMARY KEY)");
      GroupCommit writer = new GroupCommit(database.writer());
      try {
        CompletableFuture<Integer> broken = writer.enqueue((sql, after) -> {
          insert(sql, 1);
          throw new AssertionError("a class the write needs is missing");
        });
        var failure = assertThrows(ExecutionException.class, () -> broken.get(30, TimeUnit.SECONDS));
        assertTrue(failure.getCause() instanceof StoreException, failure.getCause().toString());
        assertTrue(failure.getCause().getMessage().contains("a class the write needs is missing"));

        CompletableFuture<Integer> committed = writer.enqueue((sql, after) -> {
          after.add(() -> {
            throw new IllegalStateException("an in-memory view could not be updated");
          });
          return insert(sql, 2);
        });
        assertEquals(2, committed.get(30, TimeUnit.SECONDS), "committed, so answered as committed");
        int third = writer.submit((sql, after) -> insert(sql, 3));
        assertEquals(3, third, "the writer still runs");
        try (ResultSet rows = database.writer().prepare("SELECT COUNT(*), MIN(n) FROM counted").executeQuery()) {
          rows.next();
          assertEquals(2, rows.getInt(1), "the refused write left nothing behind");
          assertEquals(2, rows.getInt(2));
        }
      } finally {
        writer.close();
      }
    }
  }

  @Test
  void manyConcurrentWritersNeedFewerCommitsThanWrites() throws Exception {
    try (Database database = new Database(dir)) {
      database.writer().execute("CREATE TABLE counted(n INTEGER PRIMARY KEY)");
      GroupCommit writer = new GroupCommit(database.writer());
      ExecutorService callers = Executors.newFixedThreadPool(32);
      try {
        List<CompletableFuture<Integer>> all = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
          int n = i;
          all.add(CompletableFuture.supplyAsync(() -> writer.submit((sql, after) -> insert(sql, n)), callers));
        }
        for (CompletableFuture<Integer> one : all) {
          one.get();
        }
        assertTrue(writer.commits() < 2000, "commits: " + writer.commits());
      } finally {
        callers.shutdownNow();
        writer.close();
      }
    }
  }

  /** An error SQLite raises for one statement alone (a broken constraint) refuses only that write, as before. */
  @Test
  void aStatementsOwnErrorRefusesItsWriteAloneAndTheGroupCommits() throws Exception {
    try (Database database = new Database(dir)) {
      database.writer().execute("CREATE TABLE counted(n INTEGER PRIMARY KEY)");
      GroupCommit writer = new GroupCommit(database.writer());
      try {
        writer.submit((sql, after) -> insert(sql, 1));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> holding = writer.enqueue((sql, after) -> {
          running.countDown();
          awaitQuietly(release);
          return insert(sql, 2);
        });
        running.await();
        CompletableFuture<Integer> duplicate = writer.enqueue((sql, after) -> insert(sql, 1));
        CompletableFuture<Integer> next = writer.enqueue((sql, after) -> insert(sql, 3));
        release.countDown();
        assertEquals(2, holding.get(30, TimeUnit.SECONDS));
        var refused = assertThrows(ExecutionException.class, () -> duplicate.get(30, TimeUnit.SECONDS));
        assertTrue(refused.getCause().getMessage().contains("CONSTRAINT"), refused.getCause().getMessage());
        assertEquals(3, next.get(30, TimeUnit.SECONDS));
        assertEquals(3, longValue(database, "SELECT COUNT(*) FROM counted"));
      } finally {
        writer.close();
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException stopped) {
      throw new IllegalStateException(stopped);
    }
  }

  @Test
  void onlyFailuresThatMayEndTheTransactionFailTheGroup() {
    assertTrue(Sql.mayEndTransaction(new org.sqlite.SQLiteException("full", org.sqlite.SQLiteErrorCode.SQLITE_FULL)));
    assertTrue(Sql.mayEndTransaction(
        new org.sqlite.SQLiteException("fsync", org.sqlite.SQLiteErrorCode.SQLITE_IOERR_FSYNC)));
    assertTrue(Sql.mayEndTransaction(new org.sqlite.SQLiteException("busy", org.sqlite.SQLiteErrorCode.SQLITE_BUSY)));
    assertTrue(Sql.mayEndTransaction(new java.sql.SQLException("not SQLite's own")));
    assertFalse(Sql.mayEndTransaction(
        new org.sqlite.SQLiteException("dup", org.sqlite.SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY)));
    assertFalse(Sql.mayEndTransaction(new org.sqlite.SQLiteException("big", org.sqlite.SQLiteErrorCode.SQLITE_TOOBIG)));
  }

  /**
   * A full disk (SQLite's SQLITE_FULL; here the file's own page limit stands in for it) once left
   * the writer's connection unable to commit anything, ever: every later write got "statement is
   * not executing", even with space back, and the node stayed up writing nothing.
   */
  @Test
  void aFullDiskRefusesTheWritesThatDoNotFitAndWritesGoOnOnceThereIsSpace() throws Exception {
    try (Database database = new Database(dir)) {
      database.writer().execute("CREATE TABLE blobs(n INTEGER PRIMARY KEY, b BLOB)");
      GroupCommit writer = new GroupCommit(database.writer());
      try {
        writer.submit((sql, after) -> insertBlob(sql, 0));
        long pages = longValue(database, "PRAGMA page_count");
        database.writer().execute("PRAGMA max_page_count=" + (pages + 8));
        StoreException full = null;
        int n = 1;
        for (; n < 100 && full == null; n++) {
          int row = n;
          try {
            writer.submit((sql, after) -> insertBlob(sql, row));
          } catch (StoreException refused) {
            full = refused;
          }
        }
        assertTrue(full != null, "the page limit was never reached");
        assertTrue(full.getMessage().contains("full"), full.getMessage());
        assertTrue(writer.sinceCommitFailed().isPresent(), "the failure is known (to the node's readiness)");
        assertTrue(writer.sinceCommitFailed().getAsLong() < java.util.concurrent.TimeUnit.SECONDS.toNanos(10));
        int refusedRow = n - 1;
        StoreException stillFull = assertThrows(StoreException.class,
            () -> writer.submit((sql, after) -> insertBlob(sql, 1000)));
        assertTrue(stillFull.getMessage().contains("full"), stillFull.getMessage());

        database.writer().execute("PRAGMA max_page_count=1073741823");
        assertEquals(2000, (int) writer.submit((sql, after) -> insertBlob(sql, 2000)), "written once there is space");
        assertEquals(2001, (int) writer.submit((sql, after) -> insertBlob(sql, 2001)));
        assertEquals(refusedRow + 2, longValue(database, "SELECT COUNT(*) FROM blobs"), "every answered write kept, the refused ones not");
      } finally {
        writer.close();
      }
    }
  }

  private static int insertBlob(Sql sql, int n) throws java.sql.SQLException {
    var insert = sql.prepare("INSERT INTO blobs(n, b) VALUES (?, ?)");
    insert.setInt(1, n);
    insert.setBytes(2, new byte[6000]);
    sql.update(insert);
    return n;
  }

  /** The one value {@code query} answers, read on the writer's connection. */
  private static long longValue(Database database, String query) throws java.sql.SQLException {
    try (ResultSet rows = database.writer().prepare(query).executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
