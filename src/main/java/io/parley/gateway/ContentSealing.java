package io.parley.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.MessageHistory;
import io.parley.privacy.ContentKey;
import io.parley.privacy.ContentKeys;
import io.parley.user.DeviceEvent;
import io.parley.user.Inbox;
import io.parley.user.InboxItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Seals what a user sends with their content key, and opens what a device is shown, so that the
 * entities, their storage and the cold tier only ever hold sealed content. Content whose key is
 * gone (its sender's account was erased) reads as deleted, and a preview of it as none.
 */
final class ContentSealing {
  /** A message's content and inbox preview sealed under {@code keyId}; no preview when it needs none. */
  record Sealed(String content, String keyId, String preview) {}

  /** Sealed content under a key: what {@link #recentlyOpened} is keyed by. */
  private record Opening(String userId, String keyId, String sealed) {}

  /** Characters of sealed and opened content {@link #recentlyOpened} holds at most (about 8 MiB). */
  static final long RECENTLY_OPENED_CHARS = 4L << 20;

  private final ContentKeys keys;
  /**
   * Content this node sealed or opened lately. A message of a large group reaches every
   * connection of its members here, and each opened it again: AES key setup per copy was 14 % of
   * the node's core while it relayed 10 messages a second to 1,000 connections. Looked up only
   * once the key is known to be there, so content of an erased key is never read from it.
   */
  private final Cache<Opening, String> recentlyOpened = Caffeine.newBuilder()
      .maximumWeight(RECENTLY_OPENED_CHARS)
      .weigher((Opening opening, String plain) -> opening.sealed().length() + plain.length())
      .build();

  ContentSealing(ContentKeys keys) {
    this.keys = keys;
  }

  /** {@code sealed} opened with {@code key}; empty if it was not sealed with it. */
  private Optional<String> open(ContentKey key, String sealed) {
    return Optional.ofNullable(recentlyOpened.get(new Opening(key.userId(), key.keyId(), sealed),
        opening -> key.open(sealed).orElse(null)));
  }

  CompletionStage<Sealed> seal(String senderId, String content, String contentType) {
    return keys.forSending(senderId).thenApply(key -> {
      String preview = Inbox.preview(content, contentType);
      boolean ownPreview = preview.equals(content) || "media".equals(contentType);
      Sealed sealed = new Sealed(key.seal(content), key.keyId(), ownPreview ? null : key.seal(preview));
      // Its receivers' devices mostly connect to this node too: they read it without opening it.
      recentlyOpened.put(new Opening(key.userId(), key.keyId(), sealed.content()), content);
      return sealed;
    });
  }

  CompletionStage<ChatMessage> open(ChatMessage message) {
    if (!message.sealed()) {
      return CompletableFuture.completedFuture(message);
    }
    return keys.forReading(message.senderId(), message.keyId()).thenApply(key -> key
        .flatMap(k -> open(k, message.content()))
        .map(message::opened)
        .orElseGet(message::tombstone));
  }

  CompletionStage<MessageHistory.Page> open(MessageHistory.Page page) {
    return all(page.messages(), this::open).thenApply(messages -> new MessageHistory.Page(messages, page.hasMore()));
  }

  CompletionStage<List<ChatMessage>> openMessages(List<ChatMessage> messages) {
    return all(messages, this::open);
  }

  CompletionStage<InboxItem> open(InboxItem item) {
    if (item.previewKeyId() == null) {
      return CompletableFuture.completedFuture(item);
    }
    return keys.forReading(item.lastSenderId(), item.previewKeyId()).thenApply(key -> new InboxItem(
        item.conversationId(), item.title(), item.members(), item.lastSeq(),
        key.flatMap(k -> open(k, item.lastMessagePreview())).orElse(""),
        item.lastSenderId(), item.lastMessageTs(), item.unreadCount(), null));
  }

  CompletionStage<List<InboxItem>> openItems(List<InboxItem> items) {
    return all(items, this::open);
  }

  /** A device event with its content opened; most events carry none. */
  CompletionStage<DeviceEvent> open(DeviceEvent event) {
    if (event instanceof DeviceEvent.MsgNew m && m.message().sealed()) {
      return open(m.message()).thenApply(opened -> new DeviceEvent.MsgNew(m.cursor(), opened));
    }
    if (event instanceof DeviceEvent.GroupMessage m && m.message().sealed()) {
      return open(m.message()).thenApply(DeviceEvent.GroupMessage::new);
    }
    if (event instanceof DeviceEvent.InboxUpdate u && u.item().previewKeyId() != null) {
      return open(u.item()).thenApply(DeviceEvent.InboxUpdate::new);
    }
    return CompletableFuture.completedFuture(event);
  }

  private static <T> CompletionStage<List<T>> all(List<T> values, Function<T, CompletionStage<T>> open) {
    List<CompletableFuture<T>> opening = new ArrayList<>(values.size());
    for (T value : values) {
      opening.add(open.apply(value).toCompletableFuture());
    }
    return CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new))
        .thenApply(done -> opening.stream().map(CompletableFuture::join).toList());
  }
}
