package io.parley.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eatthepath.pushy.apns.server.RejectionReason;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.testing.ApnsTestServer;
import io.parley.testing.FcmTestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries, dead tokens, the circuit breaker and the bounded queue, against the real peers.
 *
 * <p>The peers and the meters are shared, so each test leaves the peers answering normally and
 * waits until every push it handed over has its outcome counted ({@link #healProvidersAndSettle}):
 * no push of one test is still retrying, failing or queued while the next one counts. The tests
 * pass in any order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushDispatcherTest {
  @TempDir static Path dir;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  ActorTestKit testKit;
  PushPeers peers;
  ApnsTestServer apnsServer;
  FcmTestServer fcmServer;
  PushProvider apns;
  PushProvider fcm;
  final BlockingQueue<PushToken> removed = new LinkedBlockingQueue<>();
  /** Pushes handed to this class's dispatchers; each ends in exactly one parley.push count. */
  final AtomicLong notified = new AtomicLong();

  @BeforeAll
  void start() throws Exception {
    Metrics.addRegistry(meters);
    testKit = ActorTestKit.create();
    peers = new PushPeers(dir);
    apnsServer = peers.apnsServer;
    fcmServer = peers.fcmServer;
    apns = peers.apns;
    fcm = peers.fcm;
  }

  @AfterEach
  void healProvidersAndSettle() throws InterruptedException {
    fcmServer.recover();
    fcmServer.failNext(0, 500);
    apnsServer.failNext(0, RejectionReason.SERVICE_UNAVAILABLE);
    await(() -> outcomes() == notified.get(), "every push of the test to have its outcome counted");
  }

  @AfterAll
  void stop() throws Exception {
    peers.close();
    testKit.shutdownTestKit();
    Metrics.removeRegistry(meters);
  }

  /** A dispatcher whose pushes are counted in {@link #notified}. */
  PushNotifier dispatcher(String overrides) {
    PushSettings settings = PushSettings.from(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseString(
            "parley.push { min-backoff = 50ms, max-backoff = 200ms, max-attempts = 3, call-timeout = 2s }"))
        .withFallback(ConfigFactory.load()));
    PushDispatcher dispatcher =
        new PushDispatcher(List.of(apns, fcm), (user, token) -> removed.add(token), settings, testKit.system());
    return notification -> {
      notified.incrementAndGet();
      dispatcher.notify(notification);
    };
  }

  double count(String platform, String outcome) {
    var counter = meters.find("parley.push").tags("platform", platform, "outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  /** Every outcome counted so far, of any platform. */
  long outcomes() {
    return (long) meters.find("parley.push").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  /** The server keeps every test's requests: count only this token's. */
  long sendsTo(String token) {
    return fcmServer.sends.stream().filter(send -> send.message().path("token").asText().equals(token)).count();
  }

  static PushNotification push(String platform, String token) {
    return new PushNotification("bob", platform, token, "d:alice:bob", 1, "alice", 1);
  }

  @Test
  void transientFailuresAreRetriedWithBackOffUntilAccepted() throws Exception {
    String token = ApnsTestServer.token("retry");
    apnsServer.addDeviceToken(token);
    apnsServer.failNext(2, RejectionReason.SERVICE_UNAVAILABLE);
    double accepted = count("apns", "accepted");
    dispatcher("").notify(push("apns", token));
    await(() -> count("apns", "accepted") == accepted + 1, "the third attempt to be accepted");
    assertEquals(2, apnsServer.rejected.stream().filter(p -> p.token().equals(token)).count(), "two 503s before it");
  }

  @Test
  void retriesAreBoundedThenTheGiveUpIsCounted() throws Exception {
    fcmServer.failNext(1000, 429);
    double gaveUp = count("fcm", "gave_up");
    dispatcher("").notify(push("fcm", "fcm-busy"));
    await(() -> count("fcm", "gave_up") == gaveUp + 1, "the push to be given up");
    assertEquals(3, sendsTo("fcm-busy"), "max-attempts = 3");
  }

  @Test
  void aDeadTokenIsRemovedAndNotRetried() throws Exception {
    String token = ApnsTestServer.token("gone");
    apnsServer.addDeviceToken(token);
    apnsServer.unregister(token);
    removed.clear();
    dispatcher("").notify(push("apns", token));
    assertEquals(new PushToken("apns", token), removed.poll(10, TimeUnit.SECONDS));
    assertEquals(1, apnsServer.rejected.stream().filter(p -> p.token().equals(token)).count(), "not retried");
  }

  /** A fresh dispatcher has seen no push accepted; this one has, on both providers. */
  PushNotifier dispatcherThatSawPushesAccepted() throws InterruptedException {
    PushNotifier dispatcher = dispatcher("");
    String apnsToken = ApnsTestServer.token("works");
    apnsServer.addDeviceToken(apnsToken);
    double apnsAccepted = count("apns", "accepted");
    double fcmAccepted = count("fcm", "accepted");
    dispatcher.notify(push("apns", apnsToken));
    dispatcher.notify(push("fcm", "fcm-works"));
    await(() -> count("apns", "accepted") == apnsAccepted + 1 && count("fcm", "accepted") == fcmAccepted + 1,
        "a push accepted by each provider");
    return dispatcher;
  }

  @Test
  void aTokenOfAnotherAppIsNeverRemoved() throws Exception {
    // What a wrong PARLEY_APNS_TOPIC or Firebase project answers for every token.
    PushNotifier dispatcher = dispatcherThatSawPushesAccepted();
    fcmServer.ofAnotherSender("fcm-other-app");
    removed.clear();
    double apnsWrongApp = count("apns", "wrong_app");
    double fcmWrongApp = count("fcm", "wrong_app");
    dispatcher.notify(push("apns", ApnsTestServer.token("other-app")));
    dispatcher.notify(push("fcm", "fcm-other-app"));
    await(() -> count("apns", "wrong_app") == apnsWrongApp + 1 && count("fcm", "wrong_app") == fcmWrongApp + 1,
        "both refusals counted");
    assertEquals(List.of(), List.copyOf(removed), "kept");
  }

  @Test
  void aRefusedTokenIsKeptWhileItsProviderHasAcceptedNoPush() throws Exception {
    // What a sandbox/production endpoint mix-up answers for every token.
    PushNotifier dispatcher = dispatcher("");
    fcmServer.malformed("fcm-refused-unproven");
    removed.clear();
    double apnsKept = count("apns", "token_unconfirmed");
    double fcmKept = count("fcm", "token_unconfirmed");
    dispatcher.notify(push("apns", "not-a-token"));
    dispatcher.notify(push("fcm", "fcm-refused-unproven"));
    await(() -> count("apns", "token_unconfirmed") == apnsKept + 1 && count("fcm", "token_unconfirmed") == fcmKept + 1,
        "both refusals counted");
    assertEquals(List.of(), List.copyOf(removed), "kept");
  }

  @Test
  void aRefusedTokenIsRemovedOnceItsProviderAcceptsOthers() throws Exception {
    PushNotifier dispatcher = dispatcherThatSawPushesAccepted();
    fcmServer.malformed("fcm-refused-proven");
    removed.clear();
    dispatcher.notify(push("apns", "not-a-token"));
    dispatcher.notify(push("fcm", "fcm-refused-proven"));
    assertEquals(java.util.Set.of(new PushToken("apns", "not-a-token"), new PushToken("fcm", "fcm-refused-proven")),
        java.util.Set.of(removed.poll(10, TimeUnit.SECONDS), removed.poll(10, TimeUnit.SECONDS)));
  }

  @Test
  void anOpenBreakerStopsCallsToAFailingProvider() throws Exception {
    fcmServer.failNext(1000, 500);
    double gaveUp = count("fcm", "gave_up");
    PushNotifier failing = dispatcher(
        "parley.push { max-attempts = 1, parallelism = 1, breaker { max-failures = 2, reset-timeout = 1m } }");
    for (int i = 0; i < 6; i++) {
      failing.notify(push("fcm", "fcm-" + i));
    }
    await(() -> count("fcm", "gave_up") == gaveUp + 6, "all six pushes to be given up");
    long reached = java.util.stream.IntStream.range(0, 6).mapToLong(i -> sendsTo("fcm-" + i)).sum();
    assertEquals(2, reached, "after two failures the breaker refused the rest");
  }

  @Test
  void aHangingProviderFillsTheBoundedQueueAndTheOverflowIsCounted() throws Exception {
    fcmServer.hang();
    double dropped = count("fcm", "dropped");
    // Its queued pushes go out after it, once the provider recovers: the @AfterEach waits for them.
    PushNotifier stuck = dispatcher("parley.push { queue-size = 2, parallelism = 1, call-timeout = 30s }");
    for (int i = 0; i < 10; i++) {
      stuck.notify(push("fcm", "fcm-stuck-" + i));
    }
    // One is in flight and at most two wait (one more may sit between the stages).
    assertTrue(count("fcm", "dropped") - dropped >= 6, "dropped " + (count("fcm", "dropped") - dropped));
  }
}
