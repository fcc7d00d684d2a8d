package io.parley.gateway;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.conversation.ConversationActor.SendAck;
import io.parley.media.MediaService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Settles a media send's grant (grant-then-send, see {@link MediaService#shareBeforeSend}) by what
 * the send came to: a new message keeps it; a repeat (answered as a message stored before) or a
 * refusal stored nothing, so it is withdrawn before the answer goes out. A send whose fate is
 * unknown (timed out, unavailable: it may have been stored) leaves it, as a crash would.
 */
final class MediaSendGrants {
  private MediaSendGrants() {}

  static CompletionStage<SendAck> settled(MediaService media, MediaService.Grant grant, CompletionStage<SendAck> sent) {
    if (media == null || grant.mediaId() == null) {
      return sent;
    }
    return sent.handle((ack, failure) -> {
      if (failure == null) {
        return media.settle(grant, !ack.repeat()).thenApply(settledNow -> ack);
      }
      CompletionStage<Void> settling = refused(failure) ? media.settle(grant, false) : CompletableFuture.completedFuture(null);
      return settling.<SendAck>thenApply(settledNow -> {
        throw failure instanceof CompletionException wrapped ? wrapped : new CompletionException(failure);
      });
    }).thenCompose(answer -> answer);
  }

  /** A refusal the conversation (or the sealing) gave: nothing was stored. */
  private static boolean refused(Throwable failure) {
    Throwable cause = failure instanceof CompletionException wrapped && wrapped.getCause() != null
        ? wrapped.getCause() : failure;
    return cause instanceof ApiError error && error.code != ErrorCode.UNAVAILABLE && error.code != ErrorCode.INTERNAL;
  }
}
