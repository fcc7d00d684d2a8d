package io.parley.privacy;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.MessageHistory;
import io.parley.user.DeviceEvent;
import io.parley.user.GroupConsent;
import io.parley.user.InboxItem;
import io.parley.user.InboxPreview;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Seals what a user sends with their content key, and opens what a device is shown, so that the
 * entities, their storage and the cold tier only ever hold sealed content. Content whose key is
 * gone (its sender's account was erased) reads as deleted, and a preview of it as none.
 */
public final class ContentSealing {
  /** A message's content and inbox preview sealed under {@code keyId}; no preview for media (it shows "[media]"). */
  public record Sealed(String content, String keyId, String preview) {}

  private final ContentKeys keys;
  private final OpenedContent recentlyOpened = new OpenedContent();

  public ContentSealing(ContentKeys keys) {
    this.keys = keys;
  }

  /** {@code sealed} opened with {@code key} at {@code place}; empty if it was not sealed with it for there. */
  private Optional<String> open(ContentKey key, String place, String sealed) {
    String known = recentlyOpened.get(key, place, sealed);
    if (known != null) {
      return Optional.of(known);
    }
    Optional<String> opened = key.open(sealed, place);
    opened.ifPresent(plain -> recentlyOpened.put(key, place, sealed, plain));
    return opened;
  }

  /** {@code text} opened with {@code key} at {@code place}; empty if it was not sealed with it for there. */
  private Optional<String> open(ContentKey key, String place, SealedText text) {
    return text.sealedWith(key) ? open(key, place, text.sealed()) : Optional.empty();
  }

  /**
   * The content sealed for its place in the conversation (its sender's {@code clientMsgId} there:
   * its seq is not known before the conversation stores it), and a text's inbox preview for the
   * conversation's inbox entry. The preview is sealed apart even when it is the whole text, so
   * that the inbox, which does not keep the message's id, can open it.
   */
  public CompletionStage<Sealed> seal(String senderId, String conversationId, String clientMsgId, String content,
      String contentType) {
    return keys.forSending(senderId).exceptionallyCompose(ContentSealing::<ContentKey>refusal).thenApply(key -> {
      String place = ContentKey.messagePlace(conversationId, clientMsgId);
      String preview = "media".equals(contentType) ? null
          : key.seal(InboxPreview.ofPlain(content, contentType), ContentKey.previewPlace(conversationId));
      Sealed sealed = new Sealed(key.seal(content, place), key.keyId(), preview);
      // Its receivers' devices mostly connect to this node too: they read it without opening it.
      recentlyOpened.put(key, place, sealed.content(), content);
      return sealed;
    });
  }

  /**
   * A group's title sealed with its setter's key, as the conversation keeps it: erasing the
   * setter leaves the group without a title, and its members' inboxes with nothing to read.
   */
  public CompletionStage<String> sealTitle(String setterId, String conversationId, String title) {
    return keys.forSending(setterId).exceptionallyCompose(ContentSealing::<ContentKey>refusal)
        .thenApply(key -> SealedText.seal(key, title, ContentKey.titlePlace(conversationId)));
  }

  /**
   * What an invite keeps of the group's stored {@code title}: its start ({@link GroupConsent#startOfTitle}),
   * sealed again with the same key (none if that key is gone).
   */
  public CompletionStage<String> inviteTitle(String conversationId, String title) {
    Optional<SealedText> sealed = SealedText.parse(title);
    if (sealed.isEmpty()) {
      return CompletableFuture.completedFuture(GroupConsent.startOfTitle(title));
    }
    return keys.forReading(sealed.get().userId(), sealed.get().keyId()).thenApply(key -> key
        .flatMap(k -> sealed.get().open(k, ContentKey.titlePlace(conversationId))
            .map(plain -> SealedText.seal(k, GroupConsent.startOfTitle(plain), ContentKey.invitePlace(conversationId))))
        .orElse(""));
  }

  /** A stored text opened: itself if plain, empty if its key is gone. */
  private CompletionStage<String> openText(String stored, String place) {
    Optional<SealedText> sealed = SealedText.parse(stored);
    if (sealed.isEmpty()) {
      return CompletableFuture.completedFuture(stored);
    }
    return keys.forReading(sealed.get().userId(), sealed.get().keyId())
        .thenApply(key -> key.flatMap(k -> open(k, place, sealed.get())).orElse(""));
  }

  public CompletionStage<ConversationInfo> open(ConversationInfo info) {
    return openText(info.title(), ContentKey.titlePlace(info.conversationId())).thenApply(info::withTitle);
  }

  public CompletionStage<GroupConsent.Invite> open(GroupConsent.Invite invite) {
    return openText(invite.title(), ContentKey.invitePlace(invite.conversationId())).thenApply(invite::withTitle);
  }

  public CompletionStage<List<GroupConsent.Invite>> openInvites(List<GroupConsent.Invite> invites) {
    return all(invites, this::open);
  }

  /** Fails with {@code account_erasing} while {@code userId}'s account is being erased (see {@link ContentKeys#forSending}). */
  public CompletionStage<Void> requireNotErasing(String userId) {
    return keys.requireNotErasing(userId).exceptionallyCompose(ContentSealing::refusal);
  }

  /** A send of an account being erased gets {@code account_erasing}; other failures stay as they are. */
  private static <T> CompletionStage<T> refusal(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof ContentKeys.AccountErasing) {
      return CompletableFuture.failedFuture(new ApiError(ErrorCode.ACCOUNT_ERASING,
          "this account is being erased: nothing it sends is stored"));
    }
    return CompletableFuture.failedFuture(failure);
  }

  CompletionStage<ChatMessage> open(ChatMessage message) {
    if (!message.sealed()) {
      return CompletableFuture.completedFuture(message);
    }
    return keys.forReading(message.senderId(), message.keyId()).thenApply(key -> key
        .flatMap(k -> open(k, ContentKey.messagePlace(message.conversationId(), message.clientMsgId()),
            message.content()))
        .map(message::opened)
        .orElseGet(message::tombstone));
  }

  public CompletionStage<MessageHistory.Page> open(MessageHistory.Page page) {
    return all(page.messages(), this::open).thenApply(messages -> new MessageHistory.Page(messages, page.hasMore()));
  }

  public CompletionStage<List<ChatMessage>> openMessages(List<ChatMessage> messages) {
    return all(messages, this::open);
  }

  CompletionStage<InboxItem> open(InboxItem item) {
    if (item.previewKeyId() == null && !SealedText.isSealed(item.title())) {
      return CompletableFuture.completedFuture(item);
    }
    CompletionStage<String> preview = item.previewKeyId() == null
        ? CompletableFuture.completedFuture(item.lastMessagePreview())
        : keys.forReading(item.lastSenderId(), item.previewKeyId()).thenApply(key -> key
            .flatMap(k -> open(k, ContentKey.previewPlace(item.conversationId()), item.lastMessagePreview()))
            .orElse(InboxPreview.DELETED.text())); // its message reads as a tombstone too
    return openText(item.title(), ContentKey.titlePlace(item.conversationId())).thenCombine(preview,
        (title, opened) -> new InboxItem(item.conversationId(), title, item.members(), item.lastSeq(), opened,
            item.lastSenderId(), item.lastMessageTs(), item.unreadCount(), null));
  }

  public CompletionStage<List<InboxItem>> openItems(List<InboxItem> items) {
    return all(items, this::open);
  }

  /** A device event with its content opened; most events carry none. */
  public CompletionStage<DeviceEvent> open(DeviceEvent event) {
    if (event instanceof DeviceEvent.MsgNew m && m.message().sealed()) {
      return open(m.message()).thenApply(opened -> new DeviceEvent.MsgNew(m.cursor(), opened));
    }
    if (event instanceof DeviceEvent.GroupMessage m && m.message().sealed()) {
      return open(m.message()).thenApply(DeviceEvent.GroupMessage::new);
    }
    if (event instanceof DeviceEvent.InboxUpdate u) {
      return open(u.item()).thenApply(DeviceEvent.InboxUpdate::new);
    }
    if (event instanceof DeviceEvent.ConversationUpdated u && SealedText.isSealed(u.title())) {
      return openText(u.title(), ContentKey.titlePlace(u.conversationId())).thenApply(u::withTitle);
    }
    if (event instanceof DeviceEvent.Invited i && SealedText.isSealed(i.invite().title())) {
      return open(i.invite()).thenApply(DeviceEvent.Invited::new);
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
