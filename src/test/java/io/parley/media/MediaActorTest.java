package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Outcome;
import io.parley.testing.EntityHarness;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The MediaActor's records and grants on Pekko's persistence testkit. */
class MediaActorTest {
  static final String KEY = "media/u/uploaderkey/m";
  EntityHarness harness;
  MediaSettings settings;
  PersistenceTestKit journal;

  @BeforeEach
  void setUp() {
    harness = new EntityHarness("parley.media { max-conversations = 3, snapshot-every = 2 }");
    settings = MediaSettings.from(harness.config);
    journal = PersistenceTestKit.create(harness.testKit.system());
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  private ActorRef<MediaActor.Command> spawn(String mediaId) {
    return harness.testKit.spawn(MediaActor.create(mediaId, settings, harness.clock));
  }

  private Outcome<MediaActor.Media> ask(
      ActorRef<MediaActor.Command> media, Function<ActorRef<Outcome<MediaActor.Media>>, MediaActor.Command> command) {
    TestProbe<Outcome<MediaActor.Media>> reply = harness.testKit.createTestProbe();
    media.tell(command.apply(reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5));
  }

  private void stopAndAwait(ActorRef<MediaActor.Command> media) {
    media.tell(MediaActor.stopMessage());
    harness.testKit.createTestProbe().expectTerminated(media, Duration.ofSeconds(5));
  }

  @Test
  void nothingIsKnownOfMediaThatWasNeverRegistered() {
    var media = spawn("never");
    assertEquals(Outcome.Reason.NOT_FOUND, ask(media, MediaActor.Get::new).reason());
    assertEquals(Outcome.Reason.NOT_FOUND, ask(media, r -> new MediaActor.Share("d:a:b", r)).reason());
    assertTrue(journal.persistedInStorage(MediaActor.persistenceId("never").id()).isEmpty(),
        "a refused share stores nothing");
  }

  @Test
  void aRegistrationIsKeptAndRepeatingItIsHarmless() {
    var media = spawn("m1");
    var registered = ask(media, r -> new MediaActor.Register("alice", "image/png", 42, KEY, r)).value();
    assertEquals(new MediaActor.Media("alice", "image/png", 42, harness.clock.millis(), List.of(), KEY), registered);
    assertEquals(registered, ask(media, r -> new MediaActor.Register("alice", "image/png", 42, KEY, r)).value());
    assertEquals(Outcome.Reason.BAD_REQUEST,
        ask(media, r -> new MediaActor.Register("mallory", "image/png", 42, KEY, r)).reason(),
        "nobody else can claim the id");
    assertEquals(Outcome.Reason.BAD_REQUEST,
        ask(media, r -> new MediaActor.Register("alice", "image/png", 42, "media/u/other/m1", r)).reason(),
        "nor record another object under it");
    assertEquals(registered, ask(media, MediaActor.Get::new).value());
    assertEquals(1, journal.persistedInStorage(MediaActor.persistenceId("m1").id()).size());
  }

  @Test
  void sharesAreGrantedOnceAndSurviveARestartUpToTheLimit() {
    var media = spawn("m2");
    ask(media, r -> new MediaActor.Register("alice", "video/mp4", 7, KEY, r));
    ask(media, r -> new MediaActor.Share("d:alice:bob", r));
    ask(media, r -> new MediaActor.Settle("d:alice:bob", true, r));
    ask(media, r -> new MediaActor.Share("d:alice:bob", r));
    var shared = ask(media, r -> new MediaActor.Share("g.1", r)).value();
    assertEquals(List.of("d:alice:bob", "g.1"), shared.conversations());
    assertEquals(4, journal.persistedInStorage(MediaActor.persistenceId("m2").id()).size(),
        "a repeated share of media sent there stores nothing");

    stopAndAwait(media);
    var restarted = spawn("m2");
    assertEquals(shared, ask(restarted, MediaActor.Get::new).value());
    assertTrue(ask(restarted, r -> new MediaActor.Share("g.2", r)).value().isSharedIn("g.2"));
    var beyond = ask(restarted, r -> new MediaActor.Share("g.3", r));
    assertEquals(Outcome.Reason.BAD_REQUEST, beyond.reason());
    assertTrue(beyond.message().contains("upload it again"), beyond.message());
    assertTrue(ask(restarted, r -> new MediaActor.Share("g.1", r)).isOk(), "an existing share still answers");
  }

  /**
   * A grant waits for its send: a repeat (nothing stored) withdraws its share, and the grant goes
   * once no other send of the media there holds it; a stored message keeps it for good.
   */
  @Test
  void aPendingGrantIsWithdrawnWithTheLastSendThatHeldIt() {
    var media = spawn("m3");
    ask(media, r -> new MediaActor.Register("alice", "image/png", 7, KEY, r));
    ask(media, r -> new MediaActor.Share("d:alice:bob", r));
    ask(media, r -> new MediaActor.Share("d:alice:bob", r));
    assertTrue(ask(media, r -> new MediaActor.Settle("d:alice:bob", false, r)).value().isSharedIn("d:alice:bob"),
        "the other send still holds it");
    stopAndAwait(media);
    var restarted = spawn("m3");
    var withdrawn = ask(restarted, r -> new MediaActor.Settle("d:alice:bob", false, r)).value();
    assertEquals(List.of(), withdrawn.conversations(), "no send holds it");

    ask(restarted, r -> new MediaActor.Share("g.1", r));
    var sent = ask(restarted, r -> new MediaActor.Settle("g.1", true, r)).value();
    assertTrue(sent.isSentIn("g.1"));
    assertEquals(sent, ask(restarted, r -> new MediaActor.Settle("g.1", false, r)).value(),
        "a grant for good is not withdrawn");

    var older = (MediaActor.Event) harness.readStored("io.parley.media.MediaActor$SharedIn", """
        {"conversationId":"g.2"}""");
    assertEquals(new MediaActor.SharedIn("g.2"), older, "a share stored before grants waited: for good");
  }

  @Test
  void mediaRecordedBeforeObjectKeysReadsWithNoKeySoItsLegacyKeyIsUsed() {
    var uploaded = (MediaActor.Event) harness.readStored("io.parley.media.MediaActor$Uploaded", """
        {"uploaderId":"alice","contentType":"image/png","size":42,"ts":1700000000000}""");
    assertEquals(new MediaActor.Uploaded("alice", "image/png", 42, 1_700_000_000_000L, null), uploaded);
    journal.persistForRecovery(MediaActor.persistenceId("old").id(), List.of(uploaded));
    var recovered = ask(spawn("old"), MediaActor.Get::new).value();
    assertEquals(null, recovered.objectKey());
    assertEquals("media/old", MediaKeys.storedKeys("old", recovered).get(0));

    var snapshot = (MediaActor.Media) harness.readStored("io.parley.media.MediaActor$Media", """
        {"uploaderId":"alice","contentType":"image/png","size":42,"uploadedTs":1700000000000,
         "conversations":["d:alice:bob"]}""");
    assertEquals(new MediaActor.Media("alice", "image/png", 42, 1_700_000_000_000L, List.of("d:alice:bob"), null),
        snapshot);
    var register = (MediaActor.Register) harness.readStored("io.parley.media.MediaActor$Register", """
        {"uploaderId":"alice","contentType":"image/png","size":42}""");
    assertEquals(null, register.objectKey(), "a registration from an older node: the legacy key");
  }

  @Test
  void stateRecoversFromASnapshotThroughTheSerializer() {
    var media = spawn("m3");
    ask(media, r -> new MediaActor.Register("alice", "image/jpeg", 1024, KEY, r));
    var shared = ask(media, r -> new MediaActor.Share("d:alice:bob", r)).value();
    SnapshotTestKit snapshots = SnapshotTestKit.create(harness.testKit.system());
    assertEquals(1, snapshots.persistedInStorage(MediaActor.persistenceId("m3").id()).size(), "snapshot taken");
    stopAndAwait(media);
    assertEquals(shared, ask(spawn("m3"), MediaActor.Get::new).value());
  }

  private Outcome<io.parley.cluster.Done> expire(ActorRef<MediaActor.Command> media) {
    TestProbe<Outcome<io.parley.cluster.Done>> reply = harness.testKit.createTestProbe();
    media.tell(new MediaActor.ExpireIfUnsent(reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(5));
  }

  @Test
  void sentMediaNeverExpiresAndExpiredMediaCanNeitherBeSentNorFoundAfterARestart() {
    var sent = spawn("sent");
    ask(sent, r -> new MediaActor.Register("alice", "image/png", 42, KEY, r));
    assertTrue(ask(sent, r -> new MediaActor.Share("d:alice:bob", r)).isOk());
    assertEquals(Outcome.Reason.BAD_REQUEST, expire(sent).reason(), "sent: kept");
    assertTrue(ask(sent, MediaActor.Get::new).isOk());

    var unsent = spawn("unsent");
    ask(unsent, r -> new MediaActor.Register("alice", "image/png", 42, KEY, r));
    assertTrue(expire(unsent).isOk());
    assertTrue(expire(unsent).isOk(), "again: still expired");
    stopAndAwait(unsent);
    var again = spawn("unsent");
    assertEquals(Outcome.Reason.NOT_FOUND, ask(again, MediaActor.Get::new).reason());
    assertEquals(Outcome.Reason.NOT_FOUND, ask(again, r -> new MediaActor.Share("d:alice:bob", r)).reason());
    assertEquals(Outcome.Reason.NOT_FOUND,
        ask(again, r -> new MediaActor.Register("alice", "image/png", 42, KEY, r)).reason(),
        "its object is deleted: it cannot be recorded again");
  }
}
