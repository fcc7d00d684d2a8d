package io.parley.store.engine;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's tables in SQLite, and which layout of them a data dir holds ({@code PRAGMA
 * user_version}).
 *
 * <p>Layout 0 kept items in a WITHOUT ROWID b-tree keyed by (table, hash key, range key). Such a
 * b-tree keeps a row whole only up to about a quarter of a page; a longer item overflows, and
 * each overflow chain leaves half a page empty on average: most of a journal's batched events did.
 * Layout 1 keeps items in a rowid table, whose rows take up to a whole page and are appended in
 * the order they are written, so pages fill; a unique index finds them by key. A data dir in
 * layout 0 is rewritten into layout 1 when it is opened, in one transaction, then compacted into
 * 4 KB pages (the copy leaves the old rows' pages free, nearly doubling the file). A layout newer
 * than this build's is refused: the rows may not mean what this build would read.
 */
final class Schema {
  private Schema() {}

  private static final Logger log = LoggerFactory.getLogger(Schema.class);

  static final int LAYOUT = 1;

  private static final String ITEMS = "CREATE TABLE items(t INTEGER NOT NULL, h BLOB NOT NULL, r BLOB NOT NULL,"
      + " item BLOB NOT NULL, expires INTEGER)";
  private static final String ITEMS_KEY = "CREATE UNIQUE INDEX IF NOT EXISTS items_key ON items(t, h, r)";
  private static final String ITEMS_EXPIRY = "CREATE INDEX IF NOT EXISTS items_expiry ON items(expires)"
      + " WHERE expires IS NOT NULL";

  /**
   * Creates the tables of an empty database (user_version 0 as well), or brings an older layout up
   * to {@link #LAYOUT}.
   * Runs before any other connection to the file is open (compacting needs it to itself).
   */
  static void prepare(Sql writer, Path file) throws SQLException {
    int layout = intValue(writer, "PRAGMA user_version");
    if (layout > LAYOUT) {
      throw new SQLException("The store " + file + " was written by a newer Parley (layout " + layout
          + "; this build reads up to " + LAYOUT + "): start that version, or restore a backup this version took");
    }
    if (layout == LAYOUT) {
      return; // its tables were created in the transaction that recorded the layout: no write at every start
    }
    Connection connection = writer.connection();
    boolean rewritten = false;
    connection.setAutoCommit(false);
    try {
      writer.execute("CREATE TABLE IF NOT EXISTS tables(name TEXT PRIMARY KEY, id INTEGER NOT NULL UNIQUE,"
          + " definition TEXT NOT NULL)");
      writer.execute("CREATE TABLE IF NOT EXISTS entries(t INTEGER NOT NULL, i INTEGER NOT NULL, h BLOB NOT NULL,"
          + " r BLOB NOT NULL, th BLOB NOT NULL, tr BLOB NOT NULL, PRIMARY KEY(t, i, h, r, th, tr)) WITHOUT ROWID");
      String items = tableSql(writer, "items");
      if (items == null) {
        writer.execute(ITEMS);
      } else if (items.toUpperCase(java.util.Locale.ROOT).contains("WITHOUT ROWID")) {
        // Said, so that a long start (a large store takes a while) is not taken for a hang.
        log.info("Rewriting the store {} into layout {}, once; a large store takes a while", file, LAYOUT);
        itemsIntoRowidTable(writer);
        rewritten = true;
      }
      writer.execute(ITEMS_KEY);
      writer.execute(ITEMS_EXPIRY);
      writer.execute("PRAGMA user_version=" + LAYOUT);
      connection.commit();
    } catch (SQLException failed) {
      connection.rollback();
      throw failed;
    } finally {
      connection.setAutoCommit(true);
    }
    if (rewritten) {
      compact(writer);
      log.info("The store {} is in layout {}", file, LAYOUT);
    }
  }

  /**
   * Rewrites the file without its free pages, in new files' page size. A crash in it leaves the
   * file as it was (VACUUM is one transaction), its free pages then reused by later writes; the
   * page size changes only outside WAL mode.
   */
  private static void compact(Sql writer) throws SQLException {
    writer.execute("PRAGMA journal_mode=DELETE");
    writer.execute("PRAGMA page_size=" + Database.PAGE_SIZE);
    writer.execute("VACUUM");
    writer.execute("PRAGMA journal_mode=WAL");
  }

  /** Layout 0 to 1: the rows copied in key order, so one key's items start out side by side. */
  private static void itemsIntoRowidTable(Sql writer) throws SQLException {
    writer.execute("ALTER TABLE items RENAME TO items_layout0");
    writer.execute("DROP INDEX IF EXISTS items_expiry");
    writer.execute(ITEMS);
    writer.execute("INSERT INTO items(t, h, r, item, expires) SELECT t, h, r, item, expires FROM items_layout0"
        + " ORDER BY t, h, r");
    writer.execute("DROP TABLE items_layout0");
  }

  private static String tableSql(Sql sql, String table) throws SQLException {
    var select = sql.connection().prepareStatement("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?");
    try (select) {
      select.setString(1, table);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getString(1) : null;
      }
    }
  }

  private static int intValue(Sql sql, String query) throws SQLException {
    try (Statement statement = sql.connection().createStatement(); ResultSet row = statement.executeQuery(query)) {
      return row.next() ? row.getInt(1) : 0;
    }
  }
}
