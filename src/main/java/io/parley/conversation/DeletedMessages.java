package io.parley.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;

/**
 * The seqs of a conversation's messages deleted for everyone, ascending. Messages stay in the
 * journal and in cold segments (their seq must stay gapless); readers replace these with a
 * tombstone ({@link ChatMessage#tombstone}). Held as one sorted array: a few bytes per deletion
 * in the snapshot.
 */
public final class DeletedMessages {
  /** The most a conversation keeps (about 200 KB of snapshot): a delete beyond it is refused. */
  public static final int MAX = 20_000;

  private long[] seqs;

  public DeletedMessages() {
    this(new long[0]);
  }

  @JsonCreator
  public DeletedMessages(@JsonProperty("seqs") long[] seqs) {
    this.seqs = seqs == null ? new long[0] : seqs;
  }

  @JsonProperty("seqs")
  long[] seqs() {
    return seqs;
  }

  public boolean contains(long seq) {
    return Arrays.binarySearch(seqs, seq) >= 0;
  }

  public int count() {
    return seqs.length;
  }

  void add(long seq) {
    int at = Arrays.binarySearch(seqs, seq);
    if (at < 0) {
      int insert = -at - 1;
      long[] grown = new long[seqs.length + 1];
      System.arraycopy(seqs, 0, grown, 0, insert);
      grown[insert] = seq;
      System.arraycopy(seqs, insert, grown, insert + 1, seqs.length - insert);
      seqs = grown;
    }
  }

  /** The deleted seqs within {@code from..to}. */
  public List<Long> between(long from, long to) {
    int start = Arrays.binarySearch(seqs, from);
    start = start < 0 ? -start - 1 : start;
    int end = Arrays.binarySearch(seqs, to);
    end = end < 0 ? -end - 1 : end + 1;
    return Arrays.stream(seqs, start, Math.max(start, end)).boxed().toList();
  }

  DeletedMessages copy() {
    return new DeletedMessages(seqs.clone());
  }
}
