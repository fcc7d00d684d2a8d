package io.parley.privacy;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where content keys are stored: one row per user at most, holding their key and, while their
 * account is being erased and for a while after, when that erasure began.
 */
public interface KeyTable {
  /**
   * A user's row: their key (empty once erased, or before their first send) and the time their
   * erasure began ({@code erasingSince}, epoch millis; 0 when none is under way or recent).
   */
  record Row(Optional<ContentKey> key, long erasingSince) {
    public static final Row NONE = new Row(Optional.empty(), 0);

    public static Row of(ContentKey key) {
      return new Row(Optional.of(key), 0);
    }

    public boolean erasing() {
      return erasingSince != 0;
    }
  }

  CompletionStage<Row> read(String userId);

  /**
   * Stores {@code key} unless its user has a row: a key, or the mark of an erasure that began at
   * {@code erasedBefore} or later (an older mark without a key is replaced). Answers the row now.
   */
  CompletionStage<Row> storeIfAbsent(ContentKey key, long erasedBefore);

  /** From {@code since} on, the user gets no new key and sends nothing; their key, if any, stays. */
  default CompletionStage<Void> markErasing(String userId, long since) {
    return markErasing(userId, since, Long.MAX_VALUE);
  }

  /**
   * {@link #markErasing(String, long)}, but a mark written at {@code keepFrom} or later stays as
   * it is: the erasure that began then marks again after a restart, and what waits for its mark
   * counts from the first.
   */
  CompletionStage<Void> markErasing(String userId, long since, long keepFrom);

  /** Deletes the user's key, if any; the mark of their erasure stays. */
  CompletionStage<Void> delete(String userId);
}
