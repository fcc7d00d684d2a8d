package io.parley.gateway.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Done;
import io.parley.testing.EntityHarness;
import io.parley.user.Erasure;
import io.parley.user.ErasureRegistry;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An erasure request is recorded in the registry before the user's entity hears of it, and forgotten once done. */
class AccountErasureTest {
  EntityHarness harness;
  TestProbe<UserActor.Command> alice;
  Registry registry = new Registry();
  AccountErasure erasure;

  /** Records what it is told; {@code started} completes when the test says so. */
  static final class Registry implements ErasureRegistry {
    final CompletableFuture<Unfinished> stored = new CompletableFuture<>();
    final Queue<String> calls = new ConcurrentLinkedQueue<>();

    @Override
    public CompletionStage<Unfinished> started(String userId) {
      calls.add("started " + userId);
      return stored;
    }

    @Override
    public CompletionStage<Done> finished(Unfinished erasure) {
      calls.add("finished " + erasure);
      return CompletableFuture.completedFuture(Done.INSTANCE);
    }

    @Override
    public CompletionStage<List<Unfinished>> unfinished() {
      return CompletableFuture.completedFuture(List.of());
    }
  }

  @BeforeEach
  void setUp() {
    harness = new EntityHarness("");
    alice = harness.userProbe("alice");
    erasure = new AccountErasure(harness, registry, Duration.ofSeconds(5), harness.testKit.system());
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  private static HttpResponse await(CompletionStage<HttpResponse> response) throws Exception {
    return response.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void theEntityIsAskedOnlyOnceTheRequestIsRecordedAndARecordIsKeptWhileItRuns() throws Exception {
    CompletionStage<HttpResponse> response = erasure.erase("alice");
    alice.expectNoMessage(Duration.ofMillis(200));
    assertEquals(List.of("started alice"), List.copyOf(registry.calls));

    ErasureRegistry.Unfinished recorded = new ErasureRegistry.Unfinished("alice", 1_700_000_000_000L);
    registry.stored.complete(recorded);
    UserActor.Erase asked = (UserActor.Erase) alice.receiveMessage(Duration.ofSeconds(5));
    asked.replyTo().tell(new Erasure.Status(false, 1_700_000_000_005L, 0));
    assertEquals(202, await(response).status().intValue());
    assertEquals(List.of("started alice"), List.copyOf(registry.calls), "still listed while it runs");
  }

  @Test
  void theRecordIsForgottenOnceTheEntityAnswersDone() throws Exception {
    ErasureRegistry.Unfinished recorded = new ErasureRegistry.Unfinished("alice", 1_700_000_000_000L);
    registry.stored.complete(recorded);
    CompletionStage<HttpResponse> response = erasure.erase("alice");
    UserActor.Erase asked = (UserActor.Erase) alice.receiveMessage(Duration.ofSeconds(5));
    asked.replyTo().tell(new Erasure.Status(true, 1_700_000_000_005L, 1_700_000_000_009L));
    assertEquals(200, await(response).status().intValue());
    assertEquals(List.of("started alice", "finished " + recorded), List.copyOf(registry.calls));
  }

  @Test
  void aRequestThatCannotBeRecordedFailsWithoutAskingTheEntity() {
    registry.stored.completeExceptionally(new IllegalStateException("the table is unavailable"));
    CompletableFuture<HttpResponse> response = erasure.erase("alice").toCompletableFuture();
    alice.expectNoMessage(Duration.ofMillis(200));
    assertTrue(response.isCompletedExceptionally(), "the client is told it failed, and asks again");
    assertFalse(registry.calls.stream().anyMatch(call -> call.startsWith("finished")));
  }

  /**
   * The operator's {@code DELETE /admin/users/{id}} takes the id from the path as it comes: one no
   * user can have (a typo, a stray space) is refused, not recorded as an erasure and answered 202
   * as if an account were being erased.
   */
  @Test
  void anIdNoUserCanHaveIsABadRequestAndNothingIsRecorded() throws Exception {
    registry.stored.complete(new ErasureRegistry.Unfinished("x", 1_700_000_000_000L));
    for (String id : new String[] {"alice ", "", "a/b", "x".repeat(65)}) {
      HttpResponse refused = await(erasure.erase(id));
      assertEquals(400, refused.status().intValue(), id);
      String body = refused.entity().toStrict(5000, harness.testKit.system()).toCompletableFuture()
          .get(5, TimeUnit.SECONDS).getData().utf8String();
      assertTrue(body.contains("\"code\":\"bad_request\""), body);
    }
    assertEquals(List.of(), List.copyOf(registry.calls));
    alice.expectNoMessage(Duration.ofMillis(100));
  }
}
