package io.parley.media;

import io.parley.cluster.Asks;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.Conversations;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grant-then-send: a conversation's members are granted a media object before the message that
 * carries it is sent, and the grant is settled by the send's answer: kept if the message was
 * stored, withdrawn if the send repeated a client_msg_id stored before (the conversation answers
 * it as that earlier message, which may carry other media or none).
 */
final class MediaGrants {
  private static final Logger log = LoggerFactory.getLogger(MediaGrants.class);

  private final Function<String, RecipientRef<MediaActor.Command>> mediaEntities;
  private final Conversations conversations;
  private final BiFunction<String, MediaActor.Media, CompletionStage<Boolean>> maySee;
  private final Duration askTimeout;
  private final ActorSystem<?> system;

  MediaGrants(Function<String, RecipientRef<MediaActor.Command>> mediaEntities, Conversations conversations,
      BiFunction<String, MediaActor.Media, CompletionStage<Boolean>> maySee, Duration askTimeout,
      ActorSystem<?> system) {
    this.mediaEntities = mediaEntities;
    this.conversations = conversations;
    this.maySee = maySee;
    this.askTimeout = askTimeout;
    this.system = system;
  }

  /** See {@link MediaService#shareBeforeSend}. */
  CompletionStage<Outcome<MediaService.Grant>> shareBeforeSend(String senderId, String mediaId, String conversationId) {
    return mayPost(senderId, conversationId).thenCompose(member -> {
      if (!member.isOk()) {
        return done(Outcome.rejected(member.reason(), member.message()));
      }
      return ask(mediaId, MediaActor.Get::new).thenCompose(found -> {
        if (!found.isOk()) {
          return done(MediaService.notFound(mediaId));
        }
        MediaActor.Media media = found.value();
        if (media.isSentIn(conversationId)) {
          return done(Outcome.ok(MediaService.Grant.none()));
        }
        return maySee.apply(senderId, media).thenCompose(allowed -> !allowed
            ? done(MediaService.notFound(mediaId))
            : ask(mediaId, replyTo -> new MediaActor.Share(conversationId, replyTo))
                .thenApply(shared -> shared.map(sharedMedia -> new MediaService.Grant(mediaId, conversationId))));
      });
    });
  }

  /**
   * Settles a pending grant once its send is answered. A withdrawal is awaited, so that the
   * answer to the send comes once the grant is gone; a failure to settle is logged and leaves the
   * grant in place (as a crash between grant and send would).
   */
  CompletionStage<Void> settle(MediaService.Grant grant, boolean stored) {
    if (grant.mediaId() == null) {
      return done(null);
    }
    return ask(grant.mediaId(), replyTo -> new MediaActor.Settle(grant.conversationId(), stored, replyTo))
        .handle((settled, failure) -> {
          if (failure != null || !settled.isOk()) {
            log.warn("Could not settle the grant of media {} to {}: {}", grant.mediaId(), grant.conversationId(),
                failure != null ? failure.toString() : settled.message());
          }
          return null;
        });
  }

  /**
   * OK when {@code senderId} may post in the conversation. A send the conversation will refuse
   * must not grant its members the media (nor make it count as sent, kept for good).
   */
  private CompletionStage<Outcome<ConversationInfo>> mayPost(String senderId, String conversationId) {
    return Asks.<ConversationActor.Command, Outcome<ConversationInfo>>ask(conversations.conversation(conversationId),
            replyTo -> new ConversationActor.GetInfo(senderId, replyTo), askTimeout, system.scheduler())
        .thenApply(info -> info.isOk() && !info.value().mayPost(senderId)
            ? Outcome.rejected(Reason.FORBIDDEN, "only the owner and admins of " + conversationId + " may post in it")
            : info);
  }

  private CompletionStage<Outcome<MediaActor.Media>> ask(
      String mediaId, Function<ActorRef<Outcome<MediaActor.Media>>, MediaActor.Command> command) {
    return Asks.ask(mediaEntities.apply(mediaId), command::apply, askTimeout, system.scheduler());
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
