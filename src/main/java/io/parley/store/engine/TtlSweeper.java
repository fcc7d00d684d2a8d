package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes items whose TTL attribute lies in the past, as DynamoDB does within days (here within
 * one sweep interval). Like DynamoDB, it leaves items whose expiry is more than five years old.
 */
final class TtlSweeper implements AutoCloseable {
  private static final long FIVE_YEARS_SECONDS = 5L * 365 * 24 * 3600;
  private static final int PER_SWEEP = 1000;

  private final Catalog catalog;
  private final GroupCommit writer;
  private final ScheduledExecutorService timer;

  TtlSweeper(Catalog catalog, GroupCommit writer, long intervalMillis) {
    this.catalog = catalog;
    this.writer = writer;
    this.timer = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("parley-store-ttl"));
    timer.scheduleWithFixedDelay(this::sweepQuietly, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  private void sweepQuietly() {
    try {
      while (sweep() == PER_SWEEP) {
        // A full sweep may have left more behind.
      }
    } catch (RuntimeException failed) {
      // The next sweep tries again; a closing store refuses writes.
    }
  }

  /** Deletes up to {@value #PER_SWEEP} expired items; returns how many. */
  int sweep() {
    long now = System.currentTimeMillis() / 1000;
    return writer.submit((sql, afterCommit) -> {
      PreparedStatement select = sql.prepare("SELECT t, h, r, item FROM items WHERE expires IS NOT NULL"
          + " AND expires <= ? AND expires >= ? LIMIT " + PER_SWEEP);
      select.setLong(1, now);
      select.setLong(2, now - FIVE_YEARS_SECONDS);
      record Expired(Table table, byte[] hash, byte[] range, Map<String, AttributeValue> item) {}
      List<Expired> expired = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          Table table = catalog.byId(rows.getLong(1));
          if (table != null) {
            byte[] hash = rows.getBytes(2);
            byte[] range = rows.getBytes(3);
            expired.add(new Expired(table, hash, range, table.decode(hash, range, rows.getBytes(4))));
          }
        }
      }
      for (Expired item : expired) {
        Rows.delete(sql, item.table(), new Table.RowKey(item.hash(), item.range()), item.item());
      }
      return expired.size();
    });
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
