package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.Requests;
import io.parley.store.model.StoreException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * TransactWriteItems' ClientRequestToken: a token is remembered for ten minutes with a digest of
 * its request, in the same SQLite transaction as the writes it made, so a retry is answered without
 * being applied again even after a restart; the same token with another request is refused.
 */
final class RequestTokens {
  /** How long DynamoDB keeps a token: "valid for 10 minutes after the first request that uses it". */
  static final long VALID_MILLIS = 10 * 60 * 1000;

  RequestTokens(Sql writer) throws SQLException {
    writer.execute("CREATE TABLE IF NOT EXISTS request_tokens(token TEXT PRIMARY KEY, digest BLOB NOT NULL,"
        + " used INTEGER NOT NULL)");
    writer.execute("CREATE INDEX IF NOT EXISTS request_tokens_used ON request_tokens(used)");
  }

  /**
   * On the writer, before the transaction's writes: true if {@code token} was used for this very
   * request within ten minutes (the caller answers without writing); refuses it if it was used for
   * another request.
   */
  boolean seen(Sql sql, String token, byte[] digest, long now) throws SQLException {
    PreparedStatement select = sql.prepare("SELECT digest FROM request_tokens WHERE token = ? AND used > ?");
    select.setString(1, token);
    select.setLong(2, now - VALID_MILLIS);
    try (ResultSet row = select.executeQuery()) {
      if (!row.next()) {
        return false;
      }
      if (!MessageDigest.isEqual(row.getBytes(1), digest)) {
        throw new StoreException(StoreException.Code.IdempotentParameterMismatchException,
            "The request uses the same client token as a previous, but non-identical request.");
      }
      return true;
    }
  }

  /** On the writer, with the transaction's writes: remembers the token, forgets expired ones. */
  void remember(Sql sql, String token, byte[] digest, long now) throws SQLException {
    PreparedStatement forget = sql.prepare("DELETE FROM request_tokens WHERE used <= ?");
    forget.setLong(1, now - VALID_MILLIS);
    forget.executeUpdate();
    PreparedStatement insert = sql.prepare("INSERT OR REPLACE INTO request_tokens(token, digest, used) VALUES (?, ?, ?)");
    insert.setString(1, token);
    insert.setBytes(2, digest);
    insert.setLong(3, now);
    insert.executeUpdate();
  }

  /** A digest of the request's actions that does not depend on the order of maps and sets. */
  static byte[] digest(List<Requests.TransactAction> actions) {
    StringBuilder text = new StringBuilder();
    for (Requests.TransactAction action : actions) {
      text.append(action.getClass().getSimpleName()).append('|').append(action.table()).append('|');
      if (action instanceof Requests.TransactPut put) {
        canonical(text, put.item()).append('|').append(put.conditionExpression()).append('|');
        canonical(text, put.placeholders());
      } else if (action instanceof Requests.TransactUpdate update) {
        canonical(text, update.key()).append('|').append(update.updateExpression()).append('|')
            .append(update.conditionExpression()).append('|');
        canonical(text, update.placeholders());
      } else if (action instanceof Requests.TransactDelete delete) {
        canonical(text, delete.key()).append('|').append(delete.conditionExpression()).append('|');
        canonical(text, delete.placeholders());
      } else if (action instanceof Requests.ConditionCheck check) {
        canonical(text, check.key()).append('|').append(check.conditionExpression()).append('|');
        canonical(text, check.placeholders());
      }
      text.append('|').append(action.oldOnConditionFailure()).append('\n');
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException missing) {
      throw new IllegalStateException("SHA-256 is part of every JVM", missing);
    }
  }

  private static void canonical(StringBuilder text, Requests.Placeholders placeholders) {
    if (placeholders == null) {
      return;
    }
    text.append(placeholders.names() == null ? "" : new TreeMap<>(placeholders.names())).append('|');
    canonical(text, placeholders.values());
  }

  private static StringBuilder canonical(StringBuilder text, Map<String, AttributeValue> item) {
    if (item == null) {
      return text.append("-");
    }
    text.append('{');
    new TreeMap<>(item).forEach((name, value) -> {
      text.append(quoted(name)).append(':');
      canonical(text, value);
      text.append(',');
    });
    return text.append('}');
  }

  private static void canonical(StringBuilder text, AttributeValue value) {
    text.append(value.type()).append(' ');
    if (value instanceof AttributeValue.M map) {
      canonical(text, map.values());
    } else if (value instanceof AttributeValue.L list) {
      text.append('[');
      list.values().forEach(element -> {
        canonical(text, element);
        text.append(',');
      });
      text.append(']');
    } else if (value instanceof AttributeValue.SS ss) {
      text.append(new TreeSet<>(ss.values().stream().map(RequestTokens::quoted).toList()));
    } else if (value instanceof AttributeValue.NS ns) {
      text.append(new TreeSet<>(ns.values()));
    } else if (value instanceof AttributeValue.BS bs) {
      text.append(new TreeSet<>(bs.values().stream().map(Object::toString).toList()));
    } else {
      text.append(quoted(String.valueOf(value)));
    }
  }

  private static String quoted(String text) {
    return text.length() + ":" + text;
  }
}
