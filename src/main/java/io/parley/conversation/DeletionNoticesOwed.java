package io.parley.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.parley.cluster.JsonSerializable;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The deletion notices a conversation's members have not yet confirmed storing (see
 * {@link DeletionNotices}), by the deleted message's seq. A notice is owed to every member whose
 * messages include it, until the first confirmations list who is still owed it: so a deletion
 * costs the state no member list while it is told, and a few ids while some member is behind.
 */
public final class DeletionNoticesOwed {
  /** {@code remaining} null: every member with the message (whose {@code since} is before it). */
  public record Owed(String deletedBy, long ts, List<String> remaining) implements JsonSerializable {}

  private final TreeMap<Long, Owed> bySeq;

  public DeletionNoticesOwed() {
    this(null);
  }

  @JsonCreator
  public DeletionNoticesOwed(@JsonProperty("bySeq") Map<Long, Owed> bySeq) {
    this.bySeq = bySeq == null ? new TreeMap<>() : new TreeMap<>(bySeq);
  }

  @JsonProperty("bySeq")
  Map<Long, Owed> bySeq() {
    return bySeq;
  }

  boolean isEmpty() {
    return bySeq.isEmpty();
  }

  /** The notices owed, oldest message first. */
  Map<Long, Owed> all() {
    return Collections.unmodifiableMap(bySeq);
  }

  /** The members owed the notice of {@code seq} now: those who left or joined after it are not. */
  List<String> owedTo(long seq, Map<String, Member> members) {
    Owed owed = bySeq.get(seq);
    if (owed == null) {
      return List.of();
    }
    return (owed.remaining() == null ? members.keySet() : owed.remaining()).stream()
        .filter(id -> isOwed(seq, id, members))
        .toList();
  }

  /** Whether {@code userId} is owed the notice of {@code seq} now (see {@link #owedTo}). */
  boolean isOwed(long seq, String userId, Map<String, Member> members) {
    Owed owed = bySeq.get(seq);
    Member member = members.get(userId);
    return owed != null && member != null && member.since() < seq
        && (owed.remaining() == null || owed.remaining().contains(userId));
  }

  void owe(long seq, String deletedBy, long ts) {
    bySeq.put(seq, new Owed(deletedBy, ts, null));
  }

  /** {@code settled} no longer owed the notice of each seq; one owed to no one is dropped. */
  void settle(Map<Long, ? extends Collection<String>> settled, Map<String, Member> members) {
    settled.forEach((seq, ids) -> {
      Owed owed = bySeq.get(seq);
      if (owed == null) {
        return;
      }
      List<String> remaining = owedTo(seq, members).stream().filter(id -> !ids.contains(id)).toList();
      if (remaining.isEmpty()) {
        bySeq.remove(seq);
      } else {
        bySeq.put(seq, new Owed(owed.deletedBy(), owed.ts(), remaining));
      }
    });
  }

  DeletionNoticesOwed copy() {
    return new DeletionNoticesOwed(bySeq);
  }
}
