package io.parley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.ConversationState;
import io.parley.gateway.relay.GroupRelay;
import io.parley.push.PushToken;
import io.parley.push.PushTokenOwner;
import io.parley.testing.EntityHarness;
import io.parley.user.UserState;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What was stored (or sent) under a class's former name reads as the class under its new one. */
class MovedClassesTest {
  static final PushToken TOKEN = new PushToken("apns", "a1b2");

  EntityHarness harness;
  Serialization serialization;

  @BeforeEach
  void start() {
    harness = new EntityHarness("");
    serialization = harness.serialization();
  }

  @AfterEach
  void stop() {
    harness.shutdown();
  }

  @Test
  void everyMovedClassReadsUnderItsFormerName() {
    TestProbe<Object> replyTo = harness.testKit.createTestProbe();
    List<Object> samples = List.of(
        Done.INSTANCE,
        Outcome.ok(Done.INSTANCE),
        new PushTokenOwner.Claim("alice", TOKEN, replyTo.ref().narrow()),
        new PushTokenOwner.OwnerChanged("alice", TOKEN),
        new PushTokenOwner.OwnerReleased("bob"),
        new PushTokenOwner.State("alice", TOKEN, new TreeSet<>(List.of("bob"))),
        userState(),
        new ConversationState.Active("team", List.of("alice", "bob")),
        new ConversationState.Empty(),
        new GroupRelay.MembershipChange(new ConversationInfo("g.big", "Big", List.of("alice", "bob"), 7),
            List.of("carol"), List.of("bob"), List.of("alice")));
    assertEquals(MovedClasses.BY_FORMER_NAME.keySet().stream().sorted().toList(),
        formerNames(samples), "a sample of every moved class");
    for (Object sample : samples) {
      byte[] bytes = serialization.serialize(sample).get();
      int serializerId = serialization.findSerializerFor(sample).identifier();
      assertEquals(sample.getClass().getName(), Serializers.manifestFor(serialization.findSerializerFor(sample), sample));
      Object read = serialization.deserialize(bytes, serializerId, formerName(sample.getClass())).get();
      assertEquals(sample.getClass(), read.getClass());
      assertArrayEquals(bytes, serialization.serialize(read).get(), "the same content: " + sample);
    }
  }

  private static UserState userState() {
    UserState state = new UserState();
    state.nextCursor = 3;
    state.lastSeen = 1_700_000_000_000L;
    state.pushTokens.add(TOKEN);
    return state;
  }

  private static List<String> formerNames(List<Object> samples) {
    return samples.stream().map(sample -> formerName(sample.getClass())).sorted().collect(Collectors.toList());
  }

  private static String formerName(Class<?> movedTo) {
    return MovedClasses.BY_FORMER_NAME.entrySet().stream()
        .filter(e -> e.getValue().equals(movedTo))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new AssertionError(movedTo + " is not a moved class"));
  }
}
