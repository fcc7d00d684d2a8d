package io.parley.store.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** One SQLite connection with its prepared statements kept, used by one thread at a time. */
final class Sql implements AutoCloseable {
  private final Connection connection;
  private final Map<String, PreparedStatement> prepared = new HashMap<>();
  private long updates;

  Sql(Connection connection) {
    this.connection = connection;
  }

  PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement statement = prepared.get(sql);
    if (statement == null) {
      statement = connection.prepareStatement(sql);
      prepared.put(sql, statement);
    }
    return statement;
  }

  void execute(String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** Runs a statement that changes rows, counted in {@link #updates()}. */
  int update(PreparedStatement statement) throws SQLException {
    updates++;
    return statement.executeUpdate();
  }

  /** How many changing statements this connection has run: a write that failed before any wrote nothing. */
  long updates() {
    return updates;
  }

  /** Runs {@code sql}, a statement without parameters run often, through its kept prepared form. */
  void executePrepared(String sql) throws SQLException {
    prepare(sql).execute();
  }

  /**
   * Whether SQLite may have rolled back the whole transaction on {@code failure} ("If certain
   * kinds of errors occur on a statement within a multi-statement transaction, the transaction may
   * be rolled back automatically": a full disk, I/O, busy, out of memory), or the file itself is
   * at fault. An error SQLite does not describe is taken to be one.
   */
  static boolean mayEndTransaction(SQLException failure) {
    if (!(failure instanceof SQLiteException sqlite)) {
      return true;
    }
    return switch (SQLiteErrorCode.getErrorCode(sqlite.getResultCode().code & 0xff)) { // the primary code
      case SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY, SQLITE_NOMEM, SQLITE_INTERRUPT, SQLITE_READONLY,
          SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_CANTOPEN -> true;
      default -> false;
    };
  }

  /**
   * Closes every kept prepared statement, to be prepared afresh when next used. After a failed
   * step (a full disk, an I/O error) the driver can leave a statement mid-run: reused, it fails
   * ("statement is not executing"), and while it is open SQLite keeps its table locked.
   */
  void forgetPrepared() {
    for (PreparedStatement statement : prepared.values()) {
      try {
        statement.close();
      } catch (SQLException ignored) {
        // Closing is all that is asked of it.
      }
    }
    prepared.clear();
  }

  Connection connection() {
    return connection;
  }

  @Override
  public void close() throws SQLException {
    for (PreparedStatement statement : prepared.values()) {
      statement.close();
    }
    prepared.clear();
    connection.close();
  }
}
