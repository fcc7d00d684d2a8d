package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.user.AllowanceKind;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * What a connection may ask for beyond its sends: presence subscriptions, typing notices and group
 * changes, each within the user's bounds and limits, the excess refused and reaching no one.
 */
class ClientLimitsTest extends ClientFramesFixture {
  @Test
  void aConnectionWatchesThePresenceOfBoundedlyManyUsers() {
    String first = "{\"type\": \"presence.subscribe\", \"user_ids\": " + ids(0, ClientFrames.MAX_PRESENCE_SUBSCRIPTIONS) + "}";
    CompletionStage<Optional<String>> subscribed = frames.handle(first);
    // Presence frames spend a lease of the user's presence bucket; this one covers all that follow.
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(AllowanceKind.PRESENCE, lease.kind());
    lease.replyTo().tell(new UserActor.AllowanceLease(10, 0));
    // The user's own entity counts what all their connections watch (see the next test).
    assertEquals(ClientFrames.MAX_PRESENCE_SUBSCRIPTIONS, answerWatch(Outcome.ok(Done.INSTANCE)).userIds().size());
    assertEquals(Optional.empty(), join(subscribed));
    // The watched user's entity decides, so it is told whose connection asks.
    var subscribe = (UserActor.SubscribePresence) harness.userProbe("u0").receiveMessage();
    assertEquals("bob", subscribe.subscriberUserId());
    // Subscribing again to the same users adds none; one more user is one too many.
    CompletionStage<Optional<String>> again = frames.handle(first);
    answerWatch(Outcome.ok(Done.INSTANCE));
    assertEquals(Optional.empty(), join(again));
    assertError(frames.handle("{\"type\": \"presence.subscribe\", \"req_id\": \"p\", \"user_ids\": [\"one-more\"]}"),
        "p", "bad_request");
    harness.userProbe("one-more").expectNoMessage(Duration.ofMillis(100));
    // Once one is dropped, another fits.
    join(frames.handle("{\"type\": \"presence.unsubscribe\", \"user_ids\": [\"u0\"]}"));
    assertEquals(ClientFrames.MAX_PRESENCE_SUBSCRIPTIONS - 1, bob.expectMessageClass(UserActor.WatchPresence.class).userIds().size());
    CompletionStage<Optional<String>> oneMore = frames.handle("{\"type\": \"presence.subscribe\", \"user_ids\": [\"one-more\"]}");
    answerWatch(Outcome.ok(Done.INSTANCE));
    assertEquals(Optional.empty(), join(oneMore));
    assertEquals(UserActor.SubscribePresence.class, harness.userProbe("one-more").receiveMessage().getClass());
  }

  @Test
  void aSubscriptionPastWhatTheUsersConnectionsMayWatchInAllIsRefusedWhole() {
    CompletionStage<Optional<String>> subscribed =
        frames.handle("{\"type\": \"presence.subscribe\", \"req_id\": \"p\", \"user_ids\": [\"carol\", \"dave\"]}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(10, 0));
    answerWatch(Outcome.rejected(Outcome.Reason.BAD_REQUEST, "at most 1000 users in all"));
    assertError(subscribed, "p", "bad_request");
    harness.userProbe("carol").expectNoMessage(Duration.ofMillis(100));
    harness.userProbe("dave").expectNoMessage(Duration.ofMillis(1));
    connection.expectNoMessage(Duration.ofMillis(1));
  }

  @Test
  void aUserNamedTwiceInOneSubscriptionIsWatchedOnce() {
    CompletionStage<Optional<String>> subscribed =
        frames.handle("{\"type\": \"presence.subscribe\", \"user_ids\": [\"carol\", \"carol\", \"carol\"]}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(10, 0));
    answerWatch(Outcome.ok(Done.INSTANCE));
    assertEquals(Optional.empty(), join(subscribed));
    // Each subscription is answered with the presence now: one per user, not one per copy of its id.
    harness.userProbe("carol").expectMessageClass(UserActor.SubscribePresence.class);
    harness.userProbe("carol").expectNoMessage(Duration.ofMillis(200));
  }

  /**
   * An unsubscription tells only the users the connection watched: any other user's entity would
   * be started by it for nothing, and one frame may name 500 of them.
   */
  @Test
  void anUnsubscriptionTellsOnlyTheUsersTheConnectionWatched() {
    CompletionStage<Optional<String>> subscribed =
        frames.handle("{\"type\": \"presence.subscribe\", \"user_ids\": [\"carol\"]}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(10, 0));
    answerWatch(Outcome.ok(Done.INSTANCE));
    assertEquals(Optional.empty(), join(subscribed));
    assertEquals(UserActor.SubscribePresence.class, harness.userProbe("carol").receiveMessage().getClass());

    join(frames.handle("{\"type\": \"presence.unsubscribe\", \"user_ids\": [\"dave\", \"carol\", \"erin\"]}"));
    assertEquals(Set.of(), bob.expectMessageClass(UserActor.WatchPresence.class).userIds());
    assertEquals(UserActor.UnsubscribePresence.class, harness.userProbe("carol").receiveMessage().getClass());
    harness.userProbe("dave").expectNoMessage(Duration.ofMillis(100));
    harness.userProbe("erin").expectNoMessage(Duration.ofMillis(1));
  }

  /**
   * The users a connection newly watches are counted by the user's entity against an allowance
   * the gateway names: past it the frame is refused whole, with the wait, and no user is told.
   */
  @Test
  void aSubscriptionPastTheUsersAllowanceOfNewlyWatchedUsersIsRefusedWhole() {
    CompletionStage<Optional<String>> subscribed =
        frames.handle("{\"type\": \"presence.subscribe\", \"req_id\": \"p\", \"user_ids\": [\"carol\", \"dave\"]}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(10, 0));
    var watch = bob.expectMessageClass(UserActor.WatchPresence.class);
    assertEquals(new UserActor.WatchAllowance(
            harness.config.getInt("parley.gateway.rate-limit.presence-subscriptions-per-minute"),
            harness.config.getInt("parley.gateway.rate-limit.presence-subscriptions-burst")),
        watch.allowance());
    watch.replyTo().tell(Outcome.rateLimited("too many users newly watched", 2500));
    JsonNode limited = json(subscribed);
    assertEquals("rate_limited", limited.get("code").asText());
    assertEquals("p", limited.get("req_id").asText());
    assertEquals(2500, limited.get("retry_after_ms").asLong());
    harness.userProbe("carol").expectNoMessage(Duration.ofMillis(100));
    harness.userProbe("dave").expectNoMessage(Duration.ofMillis(1));
    // Nothing of it applied: an unsubscription finds no one to tell.
    join(frames.handle("{\"type\": \"presence.unsubscribe\", \"user_ids\": [\"carol\"]}"));
    assertEquals(Set.of(), bob.expectMessageClass(UserActor.WatchPresence.class).userIds());
    harness.userProbe("carol").expectNoMessage(Duration.ofMillis(100));
  }

  /** The user's entity answers the connection's count of watched users. */
  private UserActor.WatchPresence answerWatch(Outcome<Done> answer) {
    var watch = bob.expectMessageClass(UserActor.WatchPresence.class);
    watch.replyTo().tell(answer);
    return watch;
  }

  private static String ids(int from, int count) {
    return java.util.stream.IntStream.range(from, from + count).mapToObj(i -> "\"u" + i + "\"")
        .collect(java.util.stream.Collectors.joining(",", "[", "]"));
  }

  @Test
  void typingNoticesBeyondTheUsersTypingLimitAreRefusedAndReachNoOne() {
    String typing = "{\"type\": \"typing\", \"conversation_id\": \"d:alice:bob\"}";
    CompletionStage<Optional<String>> firstNotice = frames.handle(typing);
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(AllowanceKind.TYPING, lease.kind());
    assertEquals(harness.config.getInt("parley.gateway.rate-limit.typing-burst") / 2, lease.wanted());
    conversation.expectNoMessage(Duration.ofMillis(50));
    lease.replyTo().tell(new UserActor.AllowanceLease(2, 0));
    conversation.expectMessageClass(ConversationActor.Typing.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    assertEquals(Optional.empty(), join(firstNotice), "relayed, with no reply");
    CompletionStage<Optional<String>> second = frames.handle(typing);
    conversation.expectMessageClass(ConversationActor.Typing.class).replyTo().tell(Outcome.ok(Done.INSTANCE));
    assertEquals(Optional.empty(), join(second));
    // The lease is spent and the user's typing bucket is empty.
    CompletionStage<Optional<String>> third = frames.handle(
        "{\"type\": \"typing\", \"req_id\": \"t\", \"conversation_id\": \"d:alice:bob\"}");
    bob.expectMessageClass(UserActor.LeaseAllowance.class).replyTo().tell(new UserActor.AllowanceLease(0, 1500));
    JsonNode limited = json(third);
    assertEquals("rate_limited", limited.get("code").asText());
    assertEquals("t", limited.get("req_id").asText());
    assertEquals(1500, limited.get("retry_after_ms").asLong());
    conversation.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void groupChangesBeyondTheUsersLimitAreRefusedAndChangeNothing() {
    CompletionStage<Optional<String>> create = frames.handle(
        "{\"type\": \"conversation.create\", \"req_id\": \"g\", \"title\": \"team\", \"members\": [\"alice\"]}");
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(AllowanceKind.GROUP_CHANGES, lease.kind());
    lease.replyTo().tell(new UserActor.AllowanceLease(0, 3000));
    JsonNode limited = json(create);
    assertEquals("rate_limited", limited.get("code").asText());
    assertEquals("g", limited.get("req_id").asText());
    assertEquals(3000, limited.get("retry_after_ms").asLong());
    // Until then the refusal is remembered here, for adding members too.
    assertError(frames.handle("{\"type\": \"conversation.add_members\", \"req_id\": \"a\", "
        + "\"conversation_id\": \"d:alice:bob\", \"members\": [\"carol\"]}"), "a", "rate_limited");
    bob.expectNoMessage(Duration.ofMillis(50));
    conversation.expectNoMessage(Duration.ofMillis(50));
  }

  /**
   * An inbox page asks the user's entity, each large group the user is in and the conversations
   * whose member lists the inbox does not keep: one of the reads the user's read limit counts,
   * so that a client asking in a loop does not wake hundreds of entities a request without end.
   */
  @Test
  void inboxPagesBeyondTheUsersReadLimitAreRefusedAndAskNoOne() {
    CompletionStage<Optional<String>> page = frames.handle("{\"type\": \"inbox.get\", \"req_id\": \"i\"}");
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(AllowanceKind.READS, lease.kind());
    lease.replyTo().tell(new UserActor.AllowanceLease(0, 2000));
    JsonNode limited = json(page);
    assertEquals("rate_limited", limited.get("code").asText());
    assertEquals("i", limited.get("req_id").asText());
    assertEquals(2000, limited.get("retry_after_ms").asLong());
    bob.expectNoMessage(Duration.ofMillis(100));
  }

  /**
   * Each push token a user registers is a record of its own (its owner, kept while the account
   * lives), not only one of the user's 20: a client registering made-up tokens in a loop would
   * store records without end. Registrations are counted per user like group changes.
   */
  @Test
  void pushTokenRegistrationsBeyondTheUsersLimitAreRefusedAndStoreNothing() {
    CompletionStage<Optional<String>> registered = frames.handle(
        "{\"type\": \"device.register\", \"req_id\": \"d\", \"platform\": \"fcm\", \"token\": \"made-up-1\"}");
    var lease = bob.expectMessageClass(UserActor.LeaseAllowance.class);
    assertEquals(AllowanceKind.PUSH_TOKENS, lease.kind());
    lease.replyTo().tell(new UserActor.AllowanceLease(0, 4000));
    JsonNode limited = json(registered);
    assertEquals("rate_limited", limited.get("code").asText());
    assertEquals("d", limited.get("req_id").asText());
    assertEquals(4000, limited.get("retry_after_ms").asLong());
    harness.pushTokenOwnerProbe.expectNoMessage(Duration.ofMillis(100));
    bob.expectNoMessage(Duration.ofMillis(1));
  }
}
