package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ConversationInfoTest {
  private static final ConversationInfo DIRECT = new ConversationInfo("d:alice:bob", null, List.of("alice", "bob"), 7);
  private static final ConversationInfo GROUP = new ConversationInfo("g.1", "Team", List.of("alice", "bob", "carol"), 3);
  private static final ConversationInfo WITH_ROLES = new ConversationInfo("g.1", "Team", List.of("alice", "bob", "carol"),
      3, new GroupRoles("alice", List.of("bob"), true));

  @Test
  void aFingerprintIsTheSameOnEveryCallEveryThreadAndEveryBuild() {
    // Nodes compare fingerprints they computed at different times, on different nodes and builds
    // (hand-offs name one instead of the member list): these are the values earlier builds gave.
    assertEquals(-1831131899760510545L, DIRECT.fingerprint());
    assertEquals(2409881454759315969L, GROUP.fingerprint());
    assertEquals(5048114411275467371L, WITH_ROLES.fingerprint());
    assertEquals(-1831131899760510545L, DIRECT.fingerprint(), "asked again");
    assertEquals(5048114411275467371L, CompletableFuture.supplyAsync(WITH_ROLES::fingerprint).join(), "on another thread");
  }

  @Test
  void anotherMembershipGetsAnotherFingerprint() {
    assertNotEquals(GROUP.fingerprint(), new ConversationInfo("g.1", "Team", List.of("alice", "bob"), 3).fingerprint());
    assertNotEquals(GROUP.fingerprint(), GROUP.withTitle("Other").fingerprint());
    assertNotEquals(GROUP.fingerprint(), WITH_ROLES.fingerprint());
  }
}
