package io.parley.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Parley's metrics, recorded through Micrometer's global registry: where no registry is installed
 * (unit tests) recording costs nothing; a node installs a Prometheus registry at start-up.
 */
public final class ParleyMetrics {
  private static volatile PrometheusMeterRegistry prometheus;
  private static final ConcurrentHashMap<String, AtomicInteger> entities = new ConcurrentHashMap<>();

  private ParleyMetrics() {}

  /** Installs the Prometheus registry (once per JVM). */
  public static synchronized PrometheusMeterRegistry installPrometheus() {
    if (prometheus == null) {
      prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Metrics.addRegistry(prometheus);
    }
    return prometheus;
  }

  static String scrape() {
    PrometheusMeterRegistry registry = prometheus;
    return registry == null ? "" : registry.scrape();
  }

  public static void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(Metrics.globalRegistry);
  }

  // Meters are built and registered once: building one (its id, its histogram's configuration) costs
  // more than recording a value, and these are recorded for every message. Meters registered on the
  // global registry before a node installs its Prometheus registry join it when it is added.
  private static final Counter MESSAGES_ACCEPTED = Counter.builder("parley.messages.accepted")
      .description("Messages stored and acked as sent").register(Metrics.globalRegistry);
  private static final Counter MESSAGES_DELIVERED = Counter.builder("parley.messages.delivered")
      .description("msg.new frames sent to devices").register(Metrics.globalRegistry);
  private static final Timer SEND_DELIVER =
      latency("parley.send.deliver", "From a message's server time to its delivery to a device");
  private static final Timer SEND_ACK = latency("parley.send.ack", "From a msg.send arriving to its msg.ack");
  private static final Timer CHECKPOINT =
      latency("parley.dynamodb.checkpoint", "The embedded store's checkpoint of its write-ahead log");
  private static final Timer PERSIST = latency("parley.persist", "Writing a batch of messages to the journal");
  private static final Counter ITEMS_WRITTEN = Counter.builder("parley.dynamodb.items.written")
      .description("Items put by DynamoDB requests").register(Metrics.globalRegistry);
  private static final DistributionSummary PENDING_ITEMS = DistributionSummary.builder("parley.pending.items")
      .description("A user's pending items after a store").publishPercentileHistogram().register(Metrics.globalRegistry);
  private static final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<String, Counter> requestErrors = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<String, Counter> journalFailures = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<String, DistributionSummary> groupCommits = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<String, Counter> refusals = new ConcurrentHashMap<>();

  public static void messagesAccepted(int count) {
    MESSAGES_ACCEPTED.increment(count);
  }

  public static void messageDelivered(long serverTs, long now) {
    MESSAGES_DELIVERED.increment();
    SEND_DELIVER.record(Math.max(0, now - serverTs), TimeUnit.MILLISECONDS);
  }

  public static void sendAcked(Duration took) {
    SEND_ACK.record(took);
  }

  public static void checkpointed(Duration took) {
    CHECKPOINT.record(took);
  }

  public static void persisted(Duration took) {
    PERSIST.record(took);
  }

  /** One DynamoDB request, by operation (PutItem, BatchWriteItem, Query, …), and the items it writes. */
  public static void dynamoDbRequest(String operation, int itemsWritten) {
    requests.computeIfAbsent(operation, op -> Counter.builder("parley.dynamodb.requests")
        .description("DynamoDB requests sent, by operation").tag("operation", op).register(Metrics.globalRegistry))
        .increment();
    if (itemsWritten > 0) {
      ITEMS_WRITTEN.increment(itemsWritten);
    }
  }

  /**
   * One DynamoDB request that failed, by operation and DynamoDB's error code (or, when no answer
   * came, the client's exception): a refused condition can be an answer Parley expects (two
   * writers raced for one item); an InternalServerError or a throttle is the store failing.
   */
  public static void dynamoDbError(String operation, String code) {
    requestErrors.computeIfAbsent(operation + ' ' + code, key -> Counter.builder("parley.dynamodb.errors")
        .description("DynamoDB requests that failed, by operation and error code").tag("operation", operation)
        .tag("code", code).register(Metrics.globalRegistry)).increment();
  }

  /** An entity's journal write or recovery that failed (after the journal plugin's retries): {@code kind} write or recovery. */
  public static void journalFailure(String entityType, String kind) {
    journalFailures.computeIfAbsent(entityType + ' ' + kind, key -> Counter.builder("parley.journal.failures")
        .description("Entity writes and recoveries the journal failed").tag("entity", entityType).tag("kind", kind)
        .register(Metrics.globalRegistry)).increment();
  }

  /** How many commands one group-committed write of an entity carried. */
  public static void groupCommit(String entityType, int commands) {
    groupCommits.computeIfAbsent(entityType, type -> DistributionSummary.builder("parley.group.commit.commands")
        .description("Commands stored by one write of an entity (group commit)")
        .tag("entity", type).register(Metrics.globalRegistry)).record(commands);
  }

  public static void pendingItems(int count) {
    PENDING_ITEMS.record(count);
  }

  /** One refusal, by protocol error code: one per frame while a client floods a node with bad or excess frames. */
  public static void rejected(String code) {
    refusals.computeIfAbsent(code, c -> Counter.builder("parley.rejected")
        .description("Requests refused, by protocol error code").tag("code", c).register(Metrics.globalRegistry))
        .increment();
  }

  /**
   * One push's outcome: accepted, token_invalid, rejected, gave_up, dropped or provider_off. Pushes
   * are bounded by the push rate, so the meter is built on each call.
   */
  public static void push(String platform, String outcome) {
    Counter.builder("parley.push").description("Push notifications, by provider and outcome")
        .tag("platform", platform).tag("outcome", outcome).register(Metrics.globalRegistry).increment();
  }

  /** One entity's contribution to the running-entities gauge of its type. */
  public static final class RunningEntity {
    private final String type;
    private boolean counted;

    public RunningEntity(String type) {
      this.type = type;
    }

    public void started() {
      if (!counted) {
        counted = true;
        entityRunning(type, 1);
      }
    }

    public void stopped() {
      if (counted) {
        counted = false;
        entityRunning(type, -1);
      }
    }
  }

  private static void entityRunning(String type, int delta) {
    entities.computeIfAbsent(type, t -> {
      AtomicInteger running = new AtomicInteger();
      Gauge.builder("parley.entities", running, AtomicInteger::get)
          .description("Entities running on this node").tag("region", t).register(Metrics.globalRegistry);
      return running;
    }).addAndGet(delta);
  }

  private static Timer latency(String name, String description) {
    return Timer.builder(name).description(description).publishPercentileHistogram().register(Metrics.globalRegistry);
  }
}
