package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.testing.EntityHarness.ManualClock;
import io.parley.user.ErasureRegistry.Unfinished;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The erasure table against the embedded store: recorded, listed page by page, forgotten. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DynamoDbErasureRegistryTest {
  static final int PAGE = 3;

  @TempDir static Path dir;
  LocalDynamoDb local;
  ExecutorService blocking;
  final ManualClock clock = new ManualClock();
  int tables;

  @BeforeAll
  void start() throws Exception {
    local = LocalDynamoDb.start(dir, "journal");
    blocking = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  void stop() throws Exception {
    blocking.shutdownNow();
    local.close();
  }

  /** A registry on a table of its own, with Scan pages of {@link #PAGE} items. */
  private DynamoDbErasureRegistry registry() throws InterruptedException {
    String table = "erasures-" + tables++;
    DynamoDbTables.ensureKeyed(local.sync, table, "u");
    return new DynamoDbErasureRegistry(local.sync, table, blocking, clock, PAGE);
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aStartedErasureIsListedWithItsRequestTimeUntilItIsFinished() throws Exception {
    DynamoDbErasureRegistry registry = registry();
    assertEquals(List.of(), await(registry.unfinished()));

    Unfinished alice = await(registry.started("alice"));
    assertEquals(new Unfinished("alice", clock.millis()), alice);
    clock.advance(Duration.ofSeconds(1));
    Unfinished bob = await(registry.started("bob"));
    assertEquals(Set.of(alice, bob), Set.copyOf(await(registry.unfinished())));

    await(registry.finished(alice));
    assertEquals(List.of(bob), await(registry.unfinished()));
    await(registry.finished(alice)); // again: nothing to forget, no failure
    assertEquals(List.of(bob), await(registry.unfinished()));
  }

  @Test
  void aRequestMadeAgainAfterTheOneFoundFinishedStaysListed() throws Exception {
    DynamoDbErasureRegistry registry = registry();
    Unfinished first = await(registry.started("alice"));
    clock.advance(Duration.ofMillis(5));
    Unfinished again = await(registry.started("alice"));

    await(registry.finished(first));
    assertEquals(List.of(again), await(registry.unfinished()), "the newer request is not forgotten with the older");
    await(registry.finished(again));
    assertEquals(List.of(), await(registry.unfinished()));
  }

  @Test
  void everyUnfinishedErasureIsListedAcrossScanPages() throws Exception {
    DynamoDbErasureRegistry registry = registry();
    Set<String> users = IntStream.range(0, 4 * PAGE + 1).mapToObj(i -> "user-" + i).collect(Collectors.toSet());
    for (String user : users) {
      await(registry.started(user));
    }
    List<Unfinished> listed = await(registry.unfinished());
    assertEquals(users.size(), listed.size(), "each once: " + listed);
    assertEquals(users, listed.stream().map(Unfinished::userId).collect(Collectors.toSet()));
  }
}
