package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.GroupRoles;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Grant-then-send: who a media message's conversation lets see the media, and when it does not. */
class MediaSharingTest extends MediaStorageFixture {
  static final String NEWS = "g.news";
  /** An announcement channel: bob owns it, only he posts; alice and carol are plain members. */
  static final ConversationInfo ANNOUNCEMENTS = new ConversationInfo(NEWS, "News", List.of("bob", "alice", "carol"), 3,
      new GroupRoles("bob", List.of(), true));

  @Test
  void aPlainMemberOfAnAnnouncementChannelSharesNothingThere() throws Exception {
    String draft = upload("alice", bytes("alice's draft"));

    Outcome<MediaService.Grant> shared = share("alice", draft, ANNOUNCEMENTS);

    assertEquals(Outcome.Reason.FORBIDDEN, shared.reason(), "the channel refuses her message: " + shared);
    assertEquals(Outcome.Reason.NOT_FOUND, download("carol", draft, ANNOUNCEMENTS).reason(),
        "no message was sent, so the channel's members may not see it");
    assertEquals(List.of(), record(draft).conversations(), "nor does it count as sent (it still expires unsent)");
  }

  @Test
  void theOwnerOfAnAnnouncementChannelSharesThere() throws Exception {
    String picture = upload("bob", bytes("bob's picture"));

    assertTrue(share("bob", picture, ANNOUNCEMENTS).isOk());

    assertEquals("bob's picture", new String(download("carol", picture, ANNOUNCEMENTS).value()));
  }

  /** Grant-then-send to the conversation of {@code info}, which answers as {@code info} says. */
  private Outcome<MediaService.Grant> share(String senderId, String mediaId, ConversationInfo info) throws Exception {
    return answering(info, media.shareBeforeSend(senderId, mediaId, info.conversationId()).toCompletableFuture());
  }

  private Outcome<byte[]> download(String userId, String mediaId, ConversationInfo info) throws Exception {
    return answering(info, CompletableFuture.supplyAsync(() -> {
      try {
        return download(userId, mediaId);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }));
  }

  /** Answers the conversation's membership questions as {@code info} says until {@code asking} is done. */
  private <T> T answering(ConversationInfo info, CompletableFuture<T> asking) throws Exception {
    var probe = harness.conversationProbe(info.conversationId());
    while (!asking.isDone()) {
      try {
        if (probe.receiveMessage(Duration.ofMillis(100)) instanceof ConversationActor.GetInfo ask) {
          ask.replyTo().tell(info.members().contains(ask.userId()) ? Outcome.ok(info)
              : Outcome.rejected(Outcome.Reason.NOT_MEMBER, ask.userId() + " is not a member"));
        }
      } catch (AssertionError nothingAsked) {
        // asked nothing yet, or will not
      }
    }
    return asking.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private MediaActor.Media record(String mediaId) {
    var reply = harness.testKit.<Outcome<MediaActor.Media>>createTestProbe();
    entity(mediaId).tell(new MediaActor.Get(reply.ref()));
    return reply.receiveMessage(WAIT).value();
  }
}
