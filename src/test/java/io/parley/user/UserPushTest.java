package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.conversation.ConversationActor;
import io.parley.push.PushNotification;
import io.parley.push.PushToken;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Wake-up pushes ({@link WakeUpPushes}) to an offline user: one per token per burst, coalesced, none once connected. */
class UserPushTest extends UserFixture {
  private static final PushToken PIXEL = new PushToken("fcm", "fcm-token-1");

  private PushNotification nextPush() throws InterruptedException {
    PushNotification push = pushes.poll(5, TimeUnit.SECONDS);
    assertNotNull(push, "no push");
    return push;
  }

  @Test
  void anOfflineUserGetsOnePushPerTokenForABurstCarryingTheNewestSeqAndBadge() throws Exception {
    var bob = spawn();
    registerTokens(bob, IPHONE, PIXEL);
    for (long seq = 1; seq <= 100; seq += 10) {
      bob.tell(new UserActor.Deliver(INFO, 0, messages(seq, seq + 9, "alice")));
    }
    for (int i = 0; i < 10; i++) {
      handedOff();
    }
    settled(bob);
    noPushDuring(bob, Duration.ofMillis(199));
    pass(Duration.ofMillis(1));
    Map<String, PushNotification> byPlatform = new HashMap<>();
    for (int i = 0; i < 2; i++) {
      PushNotification push = nextPush();
      byPlatform.put(push.platform(), push);
    }
    assertEquals(new PushNotification("bob", "apns", "a1b2", CONVERSATION, 100, "alice", 100), byPlatform.get("apns"));
    assertEquals(new PushNotification("bob", "fcm", "fcm-token-1", CONVERSATION, 100, "alice", 100), byPlatform.get("fcm"));
    noPushDuring(bob, Duration.ofMillis(1500));
  }

  @Test
  void noPushForAConnectedUserOrForTheirOwnMessages() {
    var bob = spawn();
    registerTokens(bob, IPHONE);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 2, "bob")));
    assertEquals(2, handedOff()); // stored before the phone connects
    var phone = connect(bob, "phone", 0);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(3, 4, "alice")));
    assertEquals(3, ((DeviceEvent.MsgNew) phone.receiveMessage()).message().seq());
    noPushDuring(bob, Duration.ofMillis(600));
  }

  @Test
  void reconnectingCancelsTheWaitingPush() {
    var bob = spawn();
    registerTokens(bob, IPHONE);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 1, "alice")));
    assertEquals(1, handedOff());
    connect(bob, "phone", 0);
    noPushDuring(bob, Duration.ofMillis(600));
  }

  @Test
  void afterAPushTheConversationWaitsForTheWindowAndThenSendsTheNewest() throws Exception {
    var bob = spawn();
    registerTokens(bob, IPHONE);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 1, "alice")));
    assertEquals(1, handedOff());
    settled(bob);
    pass(Duration.ofMillis(200));
    assertEquals(1, nextPush().seq());
    bob.tell(new UserActor.Deliver(INFO, 0, messages(2, 2, "alice")));
    bob.tell(new UserActor.Deliver(INFO, 0, messages(3, 3, "alice")));
    handedOff();
    handedOff();
    settled(bob);
    noPushDuring(bob, Duration.ofMillis(999));
    pass(Duration.ofMillis(1));
    PushNotification second = nextPush();
    assertEquals(3, second.seq());
    assertEquals(3, second.badge());
  }

  /**
   * A message deleted for everyone before its push was due leaves nothing to read: no push wakes
   * the user for it. One went, naming the deleted message.
   */
  @Test
  void aPushWhoseMessagesWereAllDeletedMeanwhileIsNotSent() throws Exception {
    var bob = spawn();
    registerTokens(bob, IPHONE);
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 1, "alice")));
    assertEquals(1, handedOff());
    bob.tell(new UserActor.MessageDeleted(CONVERSATION, 1, "alice"));
    harness.conversationProbe(CONVERSATION).expectMessageClass(ConversationActor.DeletionNoticed.class);
    noPushDuring(bob, Duration.ofMillis(600));

    // The next message is pushed as usual.
    bob.tell(new UserActor.Deliver(INFO, 0, messages(2, 2, "alice")));
    assertEquals(2, handedOff());
    settled(bob);
    pass(Duration.ofSeconds(1));
    assertEquals(2, nextPush().seq());
  }
  /**
   * A user keeps the tokens registered most recently: an app registers its token again at each
   * start, so that is the token of a device in use, kept over those registered since.
   */
  @Test
  void aTokenRegisteredAgainIsKeptOverOlderOnesWhenTheLimitIsReached() throws Exception {
    var bob = spawn();
    PushToken[] tokens = new PushToken[UserState.MAX_PUSH_TOKENS + 1];
    for (int t = 0; t < tokens.length; t++) {
      tokens[t] = new PushToken("fcm", "token-" + t);
    }
    registerTokens(bob, java.util.Arrays.copyOf(tokens, UserState.MAX_PUSH_TOKENS));
    registerTokens(bob, tokens[0]); // the phone in use starts its app again
    registerTokens(bob, tokens[UserState.MAX_PUSH_TOKENS]); // one token more than are kept
    bob.tell(new UserActor.Deliver(INFO, 0, messages(1, 1, "alice")));
    assertEquals(1, handedOff());
    settled(bob);
    pass(Duration.ofSeconds(1));
    java.util.Set<String> pushed = new java.util.TreeSet<>();
    for (int i = 0; i < UserState.MAX_PUSH_TOKENS; i++) {
      pushed.add(nextPush().token());
    }
    assertTrue(pushed.contains("token-0"), "the token registered again was dropped: " + pushed);
    assertFalse(pushed.contains("token-1"), "the least recently registered was kept: " + pushed);
  }
}
