package io.parley.store.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's connection is durable: WAL, a sync at every commit, on every opening of the store; a new file has 4 KB pages. */
class DatabaseTest {
  @TempDir Path dir;

  private static String pragma(Sql sql, String name) throws Exception {
    try (Statement statement = sql.connection().createStatement(); ResultSet row = statement.executeQuery("PRAGMA " + name)) {
      row.next();
      return row.getString(1);
    }
  }

  @Test
  void theWriterCommitsDurablyOnEveryOpening() throws Exception {
    for (int opening = 0; opening < 2; opening++) {
      try (Database database = new Database(dir)) {
        assertEquals("wal", pragma(database.writer(), "journal_mode"));
        assertEquals("2", pragma(database.writer(), "synchronous"), "FULL");
        assertEquals("4096", pragma(database.writer(), "page_size"));
      }
    }
  }
}
