package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.parley.cluster.Done;
import io.parley.user.ErasureRegistry.Unfinished;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The singleton that wakes users whose erasure was cut short, on virtual time, users as one probe. */
class ErasureResumerTest {
  static final Duration INTERVAL = Duration.ofSeconds(30);

  ActorTestKit testKit;
  ManualTime time;
  Registry registry = new Registry();
  TestProbe<UserActor.Command> users;
  /** The users asked, in order. */
  Queue<String> asked = new ConcurrentLinkedQueue<>();

  /** The erasure table, in memory; its first {@code failListings} listings fail. */
  static final class Registry implements ErasureRegistry {
    final Map<String, Unfinished> items = new ConcurrentHashMap<>();
    final AtomicInteger failListings = new AtomicInteger();

    @Override
    public CompletionStage<Unfinished> started(String userId) {
      Unfinished erasure = new Unfinished(userId, 1_700_000_000_000L);
      items.put(userId, erasure);
      return CompletableFuture.completedFuture(erasure);
    }

    @Override
    public CompletionStage<Done> finished(Unfinished erasure) {
      items.remove(erasure.userId(), erasure);
      return CompletableFuture.completedFuture(Done.INSTANCE);
    }

    @Override
    public CompletionStage<List<Unfinished>> unfinished() {
      return failListings.getAndDecrement() > 0
          ? CompletableFuture.failedFuture(new IllegalStateException("the table is unavailable"))
          : CompletableFuture.completedFuture(List.copyOf(items.values()));
    }
  }

  @BeforeEach
  void setUp() {
    testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local")
        .withFallback(ManualTime.config()).withFallback(ConfigFactory.load()));
    time = ManualTime.get(testKit.system());
    users = testKit.createTestProbe();
  }

  @AfterEach
  void tearDown() {
    testKit.shutdownTestKit();
  }

  private void startResumer() {
    testKit.spawn(ErasureResumer.create(userId -> {
      asked.add(userId);
      return users.ref();
    }, registry, INTERVAL));
  }

  /** The next ResumeErasure the users get, and whose it was. */
  private record Question(String userId, UserActor.ResumeErasure message) {
    void answer(Erasure.Status status) {
      message.replyTo().tell(new Erasure.Resumed(status));
    }
  }

  private final Queue<String> questionsSeen = new ConcurrentLinkedQueue<>();

  private Question nextQuestion() {
    UserActor.ResumeErasure message = (UserActor.ResumeErasure) users.receiveMessage(Duration.ofSeconds(5));
    // Users are asked in the order the resumer looked them up.
    String userId = new ArrayList<>(asked).get(questionsSeen.size());
    questionsSeen.add(userId);
    return new Question(userId, message);
  }

  static Erasure.Status underWay() {
    return new Erasure.Status(false, 1_700_000_000_000L, 0);
  }

  static Erasure.Status done() {
    return new Erasure.Status(true, 1_700_000_000_000L, 1_700_000_001_000L);
  }

  @Test
  void eachRoundWakesTheUsersListedAndForgetsThoseWithNothingLeftToResume() {
    for (String user : List.of("alice", "bob", "carol")) {
      registry.started(user);
    }
    startResumer();
    users.expectNoMessage(Duration.ofMillis(100));
    time.timePasses(ErasureResumer.FIRST_ROUND_AFTER);
    Map<String, Question> questions = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      Question question = nextQuestion();
      questions.put(question.userId(), question);
    }
    questions.get("alice").answer(underWay());
    questions.get("bob").answer(done());
    questions.get("carol").answer(null); // no erasure recorded at all
    users.awaitAssert(() -> {
      assertEquals(Set.of("alice"), registry.items.keySet());
      return null;
    });

    time.timePasses(INTERVAL.minusSeconds(1));
    users.expectNoMessage(Duration.ofMillis(100));
    time.timePasses(Duration.ofSeconds(1));
    Question again = nextQuestion();
    assertEquals("alice", again.userId(), "only the one still under way is asked again");
    again.answer(done());
    users.awaitAssert(() -> {
      assertTrue(registry.items.isEmpty());
      return null;
    });
  }

  @Test
  void aRoundAsksAFewAtATimeAtMostAHundredAndTheNextRoundTakesTheOthersFirst() {
    List<String> all = IntStream.range(0, 150).mapToObj(i -> String.format("user-%03d", i)).toList();
    all.forEach(registry::started);
    startResumer();
    time.timePasses(ErasureResumer.FIRST_ROUND_AFTER);

    List<String> firstRound = answerRound();
    assertEquals(ErasureResumer.USERS_PER_ROUND, firstRound.size());
    assertEquals(ErasureResumer.USERS_PER_ROUND, new HashSet<>(firstRound).size(), "each once");

    time.timePasses(INTERVAL);
    List<String> secondRound = answerRound();
    Set<String> leftOut = all.stream().filter(user -> !firstRound.contains(user)).collect(Collectors.toSet());
    assertEquals(leftOut, Set.copyOf(secondRound.subList(0, leftOut.size())), "those left out go first");
  }

  /**
   * Answers a round's questions (all under way, so every user stays listed) a few at a time, as
   * the resumer sends them: never more than {@link ErasureResumer#USERS_AT_ONCE} open at once.
   */
  private List<String> answerRound() {
    List<String> round = new ArrayList<>();
    while (true) {
      List<Question> open = new ArrayList<>();
      for (int i = 0; i < ErasureResumer.USERS_AT_ONCE && round.size() + open.size() < ErasureResumer.USERS_PER_ROUND; i++) {
        open.add(nextQuestion());
      }
      users.expectNoMessage(Duration.ofMillis(open.isEmpty() ? 300 : 30)); // no more until these are answered
      if (open.isEmpty()) {
        return round;
      }
      open.forEach(question -> {
        round.add(question.userId());
        question.answer(underWay());
      });
    }
  }

  @Test
  void aRoundThatCannotReadTheTableIsTriedAgainAfterTheInterval() {
    registry.started("alice");
    registry.failListings.set(1);
    startResumer();
    time.timePasses(ErasureResumer.FIRST_ROUND_AFTER);
    users.expectNoMessage(Duration.ofMillis(200));
    time.timePasses(INTERVAL);
    Question question = nextQuestion();
    assertEquals("alice", question.userId());
    question.answer(done());
    users.awaitAssert(() -> {
      assertTrue(registry.items.isEmpty());
      return null;
    });
  }
}
