package io.parley.user;

import io.parley.cluster.Asks;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.MessageHistory;
import io.parley.conversation.ReceiptStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Reads a user's pending items for re-delivery, a page at a time: the page's references (cursor,
 * conversation, seq) from the {@link UserActor}, then their messages with one ranged read per
 * conversation. The two steps are separate so that a reader may ask for the next page's
 * references while this page's messages are still being read. Receipt items need no read.
 */
public final class PendingReader {
  /** A page of pending references, oldest first; {@link #read} joins them to their messages. */
  public record Page(List<UserActor.PendingDelivery> references, boolean more) {
    public boolean isEmpty() {
      return references.isEmpty();
    }

    /** The cursor of the page's last item, where the next page starts. */
    public long lastCursor() {
      return references.get(references.size() - 1).cursor();
    }
  }

  /**
   * A page's items, oldest first, up to the first whose message could not be read, if any;
   * {@code problem} says why the page is cut short (null when it is complete).
   */
  public record Items(List<DeviceEvent.StreamItem> items, String problem) {
    public boolean complete() {
      return problem == null;
    }
  }

  private final Users users;
  private final MessageHistory history;
  private final Duration askTimeout;
  private final ActorSystem<?> system;

  public PendingReader(Users users, MessageHistory history, Duration askTimeout, ActorSystem<?> system) {
    this.users = users;
    this.history = history;
    this.askTimeout = askTimeout;
    this.system = system;
  }

  /** The user's pending references after {@code afterCursor}; fails if the user does not answer. */
  public CompletionStage<Page> page(String userId, long afterCursor, int limit) {
    return Asks.<UserActor.Command, UserActor.PendingPage>ask(
            users.user(userId),
            replyTo -> new UserActor.GetPending(afterCursor, limit, replyTo),
            askTimeout,
            system.scheduler())
        .thenApply(page -> new Page(page.items(), page.more()));
  }

  /** The page's items with their messages; a failed read reads as nothing read. */
  public CompletionStage<Items> read(Page page) {
    return messages(page.references())
        .handle((read, failure) -> {
          Map<String, ChatMessage> messages = read == null ? Map.of() : read;
          List<DeviceEvent.StreamItem> items = new ArrayList<>();
          Set<Long> covered = coveredReceipts(page.references());
          for (UserActor.PendingDelivery delivery : page.references()) {
            PendingQueue.Item item = delivery.item();
            if (item.deleted() != null) {
              items.add(new DeviceEvent.DeletionItem(delivery.cursor(),
                  new DeviceEvent.MsgDeleted(item.conversationId(), item.seq())));
              continue;
            }
            if (item.receipt() != null) {
              items.add(covered.contains(delivery.cursor())
                  ? new DeviceEvent.Covered(delivery.cursor())
                  : new DeviceEvent.ReceiptItem(delivery.cursor(),
                      new DeviceEvent.Receipt(item.conversationId(), item.seq(), item.senderId(), item.receipt())));
              continue;
            }
            ChatMessage message = messages.get(key(delivery.item().conversationId(), delivery.item().seq()));
            if (message == null) {
              return new Items(items, failure != null ? "reading messages failed: " + failure
                  : "message " + item.seq() + " of " + item.conversationId() + " not read back");
            }
            items.add(new DeviceEvent.MsgNew(delivery.cursor(), message));
          }
          return new Items(items, null);
        });
  }

  private record ReceiptKey(String conversationId, String readerId, ReceiptStatus status) {}

  /**
   * The cursors of the page's receipts that a later receipt of the page covers (same
   * conversation, member and status, higher seq): receipts are cumulative, so the later one
   * says it all, and each (member, seq, status) still reaches a device at most once.
   */
  static Set<Long> coveredReceipts(List<UserActor.PendingDelivery> references) {
    Set<Long> covered = new HashSet<>();
    Map<ReceiptKey, Long> laterSeq = new HashMap<>();
    for (int i = references.size() - 1; i >= 0; i--) {
      PendingQueue.Item item = references.get(i).item();
      if (item.receipt() != null) {
        ReceiptKey key = new ReceiptKey(item.conversationId(), item.senderId(), item.receipt());
        Long later = laterSeq.merge(key, item.seq(), Math::max);
        if (later > item.seq()) {
          covered.add(references.get(i).cursor());
        }
      }
    }
    return covered;
  }

  /** The stored messages the references point to, keyed by conversation and seq. */
  private CompletionStage<Map<String, ChatMessage>> messages(List<UserActor.PendingDelivery> references) {
    Map<String, ChatMessage> byKey = new ConcurrentHashMap<>();
    CompletableFuture<?>[] reads = ranges(references).stream()
        .map(range -> history.messages(range.conversationId(), range.fromSeq(), range.toSeq())
            .thenAccept(messages -> messages.forEach(m -> byKey.put(key(m.conversationId(), m.seq()), m)))
            .toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(reads).thenApply(done -> byKey);
  }

  /** Seqs of one conversation read together when no further apart than this. */
  static final long MAX_GAP = 64;

  record Range(String conversationId, long fromSeq, long toSeq) {}

  /**
   * The reads a page needs: per conversation, its seqs in runs no more than {@link #MAX_GAP}
   * apart, so that a read holds at most a page's items and their small gaps, never the whole
   * span between two far-apart items (a member who left and came back, say).
   */
  static List<Range> ranges(List<UserActor.PendingDelivery> references) {
    Map<String, TreeSet<Long>> seqs = new LinkedHashMap<>();
    for (UserActor.PendingDelivery delivery : references) {
      PendingQueue.Item item = delivery.item();
      if (!item.isMessage()) {
        continue; // a receipt or a deletion carries all it says
      }
      seqs.computeIfAbsent(item.conversationId(), id -> new TreeSet<>()).add(item.seq());
    }
    List<Range> ranges = new ArrayList<>();
    seqs.forEach((conversationId, sorted) -> {
      long from = sorted.first();
      long to = from;
      for (long seq : sorted.tailSet(from, false)) {
        if (seq - to > MAX_GAP) {
          ranges.add(new Range(conversationId, from, to));
          from = seq;
        }
        to = seq;
      }
      ranges.add(new Range(conversationId, from, to));
    });
    return ranges;
  }

  private static String key(String conversationId, long seq) {
    return conversationId + "\u0000" + seq;
  }
}
