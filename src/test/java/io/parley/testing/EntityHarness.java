package io.parley.testing;

import io.parley.conversation.LiveGroups;
import io.parley.conversation.MemberIndex;
import io.parley.privacy.ContentKeys;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.parley.archive.ColdTier;
import io.parley.cluster.Done;
import io.parley.archive.ArchiveCalendar;
import io.parley.archive.ArchiveCalendars;
import io.parley.archive.ArchiveIo;
import io.parley.archive.ArchiveSettings;
import io.parley.conversation.ColdArchive;
import io.parley.conversation.DedupSpill;
import io.parley.conversation.MessageReader;
import io.parley.conversation.Recipients;
import io.parley.gateway.Entities;
import io.parley.push.TokenHolders;
import io.parley.user.UserRecipients;
import io.parley.user.UserTokenHolders;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationWiring;
import io.parley.conversation.ConversationJournal;
import io.parley.conversation.ConversationSettings;
import io.parley.push.PushToken;
import io.parley.push.PushTokenOwner;
import io.parley.user.UserActor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;

/**
 * Entity unit tests: Pekko's in-memory persistence testkit (events and snapshots go through the
 * real Jackson serializers), probes in place of the other entities, and a clock tests move.
 */
public final class EntityHarness implements Entities, ArchiveCalendars {
  public final ActorTestKit testKit;
  /** The configuration the test kit runs with, overrides included. */
  public final Config config;
  public final ManualClock clock = new ManualClock();
  /** Content keys for gateway tests (kept in memory: they claim nothing about storage). */
  public final ContentKeys contentKeys = new ContentKeys(new MemoryKeyTable(), 1_000);
  /** The member index conversations write to; tests of it replace it. */
  public MemberIndex memberIndex = MemberIndex.NONE;
  public final MemoryGroupMembers groupMembers = new MemoryGroupMembers();
  public LiveGroups liveGroups = LiveGroups.NONE;
  private final Map<String, TestProbe<UserActor.Command>> users = new ConcurrentHashMap<>();
  private final Map<String, TestProbe<ConversationActor.Command>> conversations = new ConcurrentHashMap<>();
  public final TestProbe<PushTokenOwner.Command> pushTokenOwnerProbe;
  /** Every archive calendar page reached through {@link #archiveCalendar}, one probe for all. */
  public final TestProbe<ArchiveCalendar.Command> archiveCalendarProbe;
  public final java.util.Queue<String> calendarPagesAddressed = new java.util.concurrent.ConcurrentLinkedQueue<>();

  public EntityHarness(String overrides) {
    this.config = ConfigFactory.parseString(overrides)
        .withFallback(PersistenceTestKitPlugin.getInstance().config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.parseString(
            "pekko.actor.provider = local\n"
                // Where ColdTier finds S3; tests that archive override it with a real s3proxy.
                + "parley.s3 { resolved-endpoint = \"http://127.0.0.1:1\", "
                + "access-key-id = parleylocal, secret-access-key = parleylocalsecret }\n"
                + "pekko.persistence.testkit.events.serialize = on\n"
                + "pekko.persistence.testkit.snapshots.serialize = on\n"))
        .withFallback(ConfigFactory.load());
    this.testKit = ActorTestKit.create(config);
    this.pushTokenOwnerProbe = testKit.createTestProbe();
    this.archiveCalendarProbe = testKit.createTestProbe();
  }

  public ConversationJournal journal() {
    PersistenceTestKitReadJournal readJournal = PersistenceQuery.get(testKit.system())
        .getReadJournalFor(PersistenceTestKitReadJournal.class, PersistenceTestKitReadJournal.Identifier());
    return new ConversationJournal(readJournal, testKit.system());
  }

  private ColdTier coldTier;
  private ActorTestKit io;

  /**
   * The cold tier as configured (one per harness, so its cache is shared like a node's). Its S3
   * client runs on an actor system of its own, on real time: a test may put the entities on
   * ManualTime, and HTTP connection pools do not work on virtual time.
   */
  public synchronized ColdTier coldTier() {
    if (coldTier == null) {
      io = ActorTestKit.create("EntityHarnessIo", config.withValue("pekko.scheduler.implementation",
          ConfigValueFactory.fromAnyRef("org.apache.pekko.actor.LightArrayRevolverScheduler")));
      coldTier = ColdTier.from(config, io.system());
    }
    return coldTier;
  }

  /** Conversations tell their members through the real implementation, onto the user probes. */
  public Recipients recipients() {
    return new UserRecipients(this);
  }

  /** Push token owners take tokens from users through the real implementation, onto the user probes. */
  public TokenHolders tokenHolders() {
    return new UserTokenHolders(this, testKit.system());
  }

  /** The archive's I/O as the server wires it, on this harness's cold tier and calendar probe. */
  public ColdArchive coldArchive() {
    return new ArchiveIo(coldTier(), this, ArchiveSettings.from(config), clock);
  }

  /** A ConversationActor wired as in the server, with probes for the other entities. */
  public org.apache.pekko.actor.typed.Behavior<ConversationActor.Command> conversationActor(
      String conversationId, ActorRef<ClusterSharding.ShardCommand> shard, ConversationSettings settings) {
    return conversationActor(conversationId, shard, settings, coldArchive());
  }

  /** The same, on {@code archive} (a test that watches the archive's I/O wraps {@link #coldArchive}). */
  public org.apache.pekko.actor.typed.Behavior<ConversationActor.Command> conversationActor(
      String conversationId, ActorRef<ClusterSharding.ShardCommand> shard, ConversationSettings settings,
      ColdArchive archive) {
    return ConversationActor.create(conversationId, shard, new ConversationWiring(recipients(),
        new MessageReader(journal(), coldTier()), archive, DedupSpill.NONE, memberIndex, groupMembers,
        liveGroups, settings, clock));
  }

  public TestProbe<UserActor.Command> userProbe(String userId) {
    return users.computeIfAbsent(userId, id -> testKit.createTestProbe("user-" + id));
  }

  public TestProbe<ConversationActor.Command> conversationProbe(String conversationId) {
    return conversations.computeIfAbsent(conversationId, id -> testKit.createTestProbe());
  }

  @Override
  public RecipientRef<UserActor.Command> user(String userId) {
    return userProbe(userId).ref();
  }

  @Override
  public RecipientRef<ConversationActor.Command> conversation(String conversationId) {
    return conversationProbe(conversationId).ref();
  }

  @Override
  public RecipientRef<ArchiveCalendar.Command> archiveCalendar(String pageId) {
    calendarPagesAddressed.add(pageId);
    return archiveCalendarProbe.ref();
  }

  @Override
  public RecipientRef<PushTokenOwner.Command> pushTokenOwner(PushToken token) {
    return pushTokenOwnerProbe.ref();
  }

  /**
   * A real ConversationActor (on this harness's persistence testkit) for {@code conversationId},
   * and these entities with it in place of that conversation's probe.
   */
  public Entities withRealConversation(String conversationId) {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    ActorRef<ConversationActor.Command> real =
        testKit.spawn(conversationActor(conversationId, shard.ref(), ConversationSettings.from(config)));
    EntityHarness probes = this;
    return new Entities() {
      @Override
      public RecipientRef<UserActor.Command> user(String userId) {
        return probes.user(userId);
      }

      @Override
      public RecipientRef<ConversationActor.Command> conversation(String id) {
        return id.equals(conversationId) ? real : probes.conversation(id);
      }

      @Override
      public RecipientRef<PushTokenOwner.Command> pushTokenOwner(PushToken token) {
        return probes.pushTokenOwner(token);
      }

    };
  }

  /** Pekko serialization as the journal and snapshot store use it. */
  public Serialization serialization() {
    return SerializationExtension.get(testKit.system().classicSystem());
  }

  /** {@code value} as it is stored: the JSON its serializer writes. */
  public String storedJson(Object value) {
    return new String(serialization().serialize(value).get(), StandardCharsets.UTF_8);
  }

  /** Reads JSON as the journal or snapshot store hands it over, under the class name it was stored with. */
  public Object readStored(String manifest, String json) {
    int serializerId = serialization().findSerializerFor(Done.INSTANCE).identifier();
    return serialization().deserialize(json.getBytes(StandardCharsets.UTF_8), serializerId, manifest).get();
  }

  /** Everything {@code probe} receives until it has been quiet for {@code quiet}. */
  public static <T> List<T> received(TestProbe<T> probe, Duration quiet) {
    List<T> messages = new ArrayList<>();
    while (true) {
      try {
        messages.add(probe.receiveMessage(quiet));
      } catch (AssertionError nothingMore) {
        return messages;
      }
    }
  }

  public void shutdown() {
    testKit.shutdownTestKit();
    if (io != null) {
      io.shutdownTestKit();
    }
  }

  /** A clock the test moves by hand. */
  public static final class ManualClock extends Clock {
    private volatile long millis = 1_700_000_000_000L;

    public void advance(java.time.Duration by) {
      millis += by.toMillis();
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
