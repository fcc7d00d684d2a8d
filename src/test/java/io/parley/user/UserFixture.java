package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.MessageIds;
import io.parley.push.PushNotification;
import io.parley.push.PushToken;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the user entity's tests share: a UserActor for bob on Pekko's persistence testkit, other
 * entities as probes, and the steps the tests take with it. Timers run on Pekko's ManualTime, moved
 * together with the harness clock by {@link #pass}. Each test class of one of the entity's jobs
 * extends it.
 */
abstract class UserFixture {
  static final String CONVERSATION = "d:alice:bob";
  static final ConversationInfo INFO = new ConversationInfo(CONVERSATION, null, List.of("alice", "bob"), 0);

  EntityHarness harness;
  ManualTime time;
  UserSettings settings;
  TestProbe<ClusterSharding.ShardCommand> shard;
  final BlockingQueue<PushNotification> pushes = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() {
    String overrides = "parley.user.snapshot-every = 5\n"
        + "parley.push.gather-delay = 200ms\n"
        + "parley.push.coalesce-window = 1s\n";
    harness = new EntityHarness(ConfigFactory.parseString(overrides).withFallback(ManualTime.config()).root().render());
    time = ManualTime.get(harness.testKit.system());
    settings = UserSettings.from(harness.config);
    shard = harness.testKit.createTestProbe();
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  ActorRef<UserActor.Command> spawn() {
    return harness.testKit.spawn(UserActor.create("bob", shard.ref(), harness, settings, pushes::add,
        userId -> CompletableFuture.completedFuture(null), harness.clock));
  }

  ActorRef<UserActor.Command> restart(ActorRef<UserActor.Command> user) {
    user.tell(UserActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(user, Duration.ofSeconds(5));
    return spawn();
  }

  ChatMessage message(long seq, String sender) {
    long ts = harness.clock.millis();
    return new ChatMessage(CONVERSATION, seq, MessageIds.of(CONVERSATION, seq, ts), sender, "c" + seq, "text " + seq, "text", ts);
  }

  List<ChatMessage> messages(long from, long to, String sender) {
    return LongStream.rangeClosed(from, to).mapToObj(seq -> message(seq, sender)).toList();
  }

  /** Connects a device and returns the probe standing in for its connection. */
  TestProbe<DeviceEvent> connect(ActorRef<UserActor.Command> user, String deviceId, long expectAcked) {
    TestProbe<DeviceEvent> connection = harness.testKit.createTestProbe();
    TestProbe<UserActor.Connected> connected = harness.testKit.createTestProbe();
    user.tell(new UserActor.Connect(deviceId, connection.ref(), connected.ref()));
    assertEquals(expectAcked, connected.receiveMessage().ackedCursor());
    return connection;
  }

  List<Long> pendingCursors(ActorRef<UserActor.Command> user, long after) {
    return pendingCursors(user, after, 100);
  }

  /** Every pending cursor after {@code after}, read page by page, at most {@code limit}. */
  List<Long> pendingCursors(ActorRef<UserActor.Command> user, long after, int limit) {
    List<Long> cursors = new java.util.ArrayList<>();
    TestProbe<UserActor.PendingPage> page = harness.testKit.createTestProbe();
    boolean more = true;
    while (more && cursors.size() < limit) {
      user.tell(new UserActor.GetPending(cursors.isEmpty() ? after : cursors.get(cursors.size() - 1), 100, page.ref()));
      UserActor.PendingPage received = page.receiveMessage();
      received.items().forEach(item -> cursors.add(item.cursor()));
      more = received.more();
    }
    return cursors;
  }

  /** An ack followed, as on a connection, by a later frame being answered: the ack is stored. */
  void ack(ActorRef<UserActor.Command> user, String deviceId, long cursor) {
    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    user.tell(new UserActor.Ack(deviceId, cursor, done.ref()));
    assertTrue(done.receiveMessage().isOk());
    sync(user);
  }

  void sync(ActorRef<UserActor.Command> user) {
    TestProbe<Outcome<Done>> stored = harness.testKit.createTestProbe();
    user.tell(new UserActor.Sync(null, 0, stored.ref()));
    stored.expectMessage(Outcome.ok(Done.INSTANCE));
  }

  long handedOff() {
    var confirmation = (ConversationActor.HandedOff) harness.conversationProbe(CONVERSATION).receiveMessage();
    return confirmation.seq();
  }

  /** Moves both the timers and the clock the UserActor reads. */
  void pass(Duration duration) {
    harness.clock.advance(duration);
    time.timePasses(duration);
  }

  /** Returns once the user has handled everything sent to it before, timers that fired included. */
  void settled(ActorRef<UserActor.Command> user) {
    TestProbe<UserActor.PendingPage> page = harness.testKit.createTestProbe();
    user.tell(new UserActor.GetPending(0, 1, page.ref()));
    page.receiveMessage();
  }

  record Observed(List<InboxItem> inbox, List<Long> pending) {}

  Observed observe(ActorRef<UserActor.Command> user) {
    TestProbe<Outcome<UserActor.InboxPage>> inbox = harness.testKit.createTestProbe();
    user.tell(new UserActor.GetInbox(200, null, null, inbox.ref()));
    return new Observed(inbox.receiveMessage().value().items(), pendingCursors(user, 0));
  }

  void deliver(ActorRef<UserActor.Command> user, String conversationId, int messages) {
    var info = new ConversationInfo(conversationId, conversationId, List.of("alice", "bob"), 0);
    long ts = harness.clock.millis();
    user.tell(new UserActor.Deliver(info, 0, LongStream.rangeClosed(1, messages)
        .mapToObj(seq -> new ChatMessage(conversationId, seq, MessageIds.of(conversationId, seq, ts), "alice",
            "c" + seq, "text " + seq, "text", ts))
        .toList()));
    harness.conversationProbe(conversationId).expectMessageClass(ConversationActor.HandedOff.class);
  }

  /** Bob's own message in {@code conversationId} is stored in his stream: its members become his contacts. */
  void bobWrites(ActorRef<UserActor.Command> bob, String conversationId, String... members) {
    long ts = harness.clock.millis();
    long seq = ++bobsMessages;
    bob.tell(new UserActor.Deliver(new ConversationInfo(conversationId, conversationId, List.of(members), 0), seq - 1,
        List.of(new ChatMessage(conversationId, seq, MessageIds.of(conversationId, seq, ts), "bob", "b" + seq,
            "text " + seq, "text", ts))));
    harness.conversationProbe(conversationId).expectMessageClass(ConversationActor.HandedOff.class);
  }

  private long bobsMessages;

  void groupChanged(ActorRef<UserActor.Command> bob, String groupId, String... members) {
    bob.tell(new UserActor.ConversationChanged(
        new ConversationInfo(groupId, groupId, List.of(members), 0), harness.clock.millis()));
    sync(bob);
  }

  static final PushToken IPHONE = new PushToken("apns", "a1b2");

  void registerTokens(ActorRef<UserActor.Command> user, PushToken... tokens) {
    TestProbe<Outcome<Done>> done = harness.testKit.createTestProbe();
    for (PushToken token : tokens) {
      user.tell(new UserActor.RegisterPushToken(token, done.ref()));
      assertTrue(done.receiveMessage().isOk());
    }
  }

  /** After {@code duration} no push has gone out. */
  void noPushDuring(ActorRef<UserActor.Command> user, Duration duration) {
    pass(duration);
    settled(user);
    assertNull(pushes.peek(), () -> "unexpected push " + pushes.peek());
  }
}
