package io.parley.conversation;

import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor.Send;
import io.parley.conversation.ConversationActor.SendAck;
import io.parley.conversation.ConversationState.Active;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Group commit of a conversation's sends: they wait here while a write is in flight, and the next
 * write takes the oldest that fit it and numbers them with the gapless {@code seq}, answering
 * repeats of a {@code client_msg_id} with the original ack instead.
 */
final class SendBatch {
  /** Bounds of one write's messages: one DynamoDB item holds at most 400 KB, and a hand-off to a
   *  member on another node must fit a remoting frame (256 KiB). */
  static final int MAX_SENDS = 256;
  static final long MAX_BYTES = 64 * 1024;
  static final long MESSAGE_OVERHEAD_BYTES = 160;

  /** One write's outcome: the messages to store, the answer to each send taken, and whom they mention. */
  record Numbered(List<StoredMessage> stored, List<Runnable> replies, List<Mentions> mentions) {}

  /** Message {@code seq} of {@code senderId} mentions {@code userIds}. */
  record Mentions(long seq, String senderId, List<String> userIds) {}

  private final ArrayDeque<Send> waiting = new ArrayDeque<>();
  private final int capacity;

  SendBatch(int capacity) {
    this.capacity = capacity;
  }

  /** Queues a send for the next write; false when the queue is full (the sender retries). */
  boolean offer(Send send) {
    if (waiting.size() >= capacity) {
      return false;
    }
    waiting.add(send);
    return true;
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  /** The oldest waiting sends that fit one write: always one, then up to the bounds. */
  List<Send> takeForOneWrite() {
    List<Send> taken = new ArrayList<>();
    long bytes = 0;
    while (!waiting.isEmpty() && taken.size() < MAX_SENDS) {
      Send next = waiting.peek();
      long size = approximateBytes(next);
      if (!taken.isEmpty() && bytes + size > MAX_BYTES) {
        break;
      }
      bytes += size;
      taken.add(waiting.poll());
    }
    return taken;
  }

  static long approximateBytes(Send send) {
    return approximateBytes(send.content(), send.preview(), send.clientMsgId(), send.senderId());
  }

  /** An upper bound of a message's stored size: UTF-8 takes at most 3 bytes per Java char. */
  static long approximateBytes(String content, String preview, String clientMsgId, String senderId) {
    long previewChars = preview == null ? 0 : preview.length();
    return 3L * (content.length() + previewChars + clientMsgId.length() + senderId.length()) + MESSAGE_OVERHEAD_BYTES;
  }

  /**
   * Numbers the new messages of {@code sends} after the state's last; repeats (known to the state,
   * or among {@code spilled}, the keys found in the dedup table) get their first ack.
   */
  static Numbered number(
      String conversationId, Active active, KnownMembers known, List<Send> sends, Map<Long, DedupWindow.Entry> spilled,
      long now) {
    long seq = active.lastSeq;
    long ts = Math.max(now, active.lastMessageTs);
    Map<Long, SendAck> acceptedNow = new HashMap<>();
    List<StoredMessage> stored = new ArrayList<>();
    List<Runnable> replies = new ArrayList<>();
    List<Mentions> mentions = new ArrayList<>();
    for (Send send : sends) {
      if (!active.isMember(send.senderId(), known)) {
        replies.add(() -> send.replyTo().tell(ConversationActor.notMember(conversationId, send.senderId())));
        continue;
      }
      if (!active.mayPost(send.senderId(), known)) {
        replies.add(() -> send.replyTo().tell(Outcome.rejected(Outcome.Reason.FORBIDDEN,
            "only the owner and admins of " + conversationId + " may post in it")));
        continue;
      }
      long key = DedupWindow.key(send.senderId(), send.clientMsgId());
      // An erased account's client_msg_ids are not those of the same id come back (it starts afresh).
      long erasedThrough = active.erasedThrough(send.senderId());
      SendAck earlier = Optional.ofNullable(acceptedNow.get(key)).map(SendAck::asRepeat)
          .or(() -> active.dedup.find(key).or(() -> Optional.ofNullable(spilled.get(key)))
              .filter(e -> e.seq() > erasedThrough)
              .map(e -> ack(conversationId, send.clientMsgId(), e.seq(), e.serverTs(), false).asRepeat()))
          .orElse(null);
      if (earlier != null) {
        replies.add(() -> send.replyTo().tell(Outcome.ok(earlier)));
        continue;
      }
      seq++;
      SendAck ack = ack(conversationId, send.clientMsgId(), seq, ts, !active.large);
      acceptedNow.put(key, ack);
      stored.add(new StoredMessage(seq, send.senderId(), send.clientMsgId(), send.content(), send.contentType(), ts,
          send.keyId(), send.preview()));
      if (!send.mentions().isEmpty()) {
        mentions.add(new Mentions(seq, send.senderId(), send.mentions()));
      }
      replies.add(() -> send.replyTo().tell(Outcome.ok(ack)));
    }
    return new Numbered(stored, replies, mentions);
  }

  private static SendAck ack(String conversationId, String clientMsgId, long seq, long serverTs, boolean toSenderStream) {
    return new SendAck(clientMsgId, MessageIds.of(conversationId, seq, serverTs), seq, serverTs, toSenderStream);
  }
}
