package io.parley.push;

import io.parley.metrics.ParleyMetrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends pushes off the actors' hot path: {@link #notify} only offers to a bounded queue and
 * returns. Each push is tried through its provider's circuit breaker, with bounded, jittered
 * exponential back-off for transient failures. Every outcome is counted in
 * {@code parley_push_total}; drops and give-ups are logged too. A push that never goes out loses
 * nothing: the message waits in the device's pending queue either way.
 */
public final class PushDispatcher implements PushNotifier {
  private static final Logger log = LoggerFactory.getLogger(PushDispatcher.class);

  private final Map<String, PushProvider> providers;
  private final Map<String, ProviderBreaker> breakers;
  private final BiConsumer<String, PushToken> removeToken;
  private final PushSettings settings;
  private final ActorSystem<?> system;
  private final BoundedSourceQueue<PushNotification> queue;
  private final TokenRefusals refusals;

  /**
   * @param removeToken told the user and token a provider called dead, to forget it
   */
  public PushDispatcher(
      List<PushProvider> providers,
      BiConsumer<String, PushToken> removeToken,
      PushSettings settings,
      ActorSystem<?> system) {
    this.providers = providers.stream().collect(Collectors.toMap(PushProvider::platform, Function.identity()));
    this.breakers = providers.stream().collect(Collectors.toMap(PushProvider::platform,
        p -> new ProviderBreaker(p.platform(), settings, system)));
    this.removeToken = removeToken;
    this.settings = settings;
    this.system = system;
    this.refusals = new TokenRefusals(settings.tokenEvidenceWindow(), Clock.systemUTC());
    this.queue = Source.<PushNotification>queue(settings.queueSize())
        .mapAsyncUnordered(settings.parallelism(), this::deliver)
        .to(Sink.ignore())
        .run(system);
  }

  @Override
  public void notify(PushNotification notification) {
    if (!providers.containsKey(notification.platform())) {
      ParleyMetrics.push(notification.platform(), "provider_off");
      return;
    }
    QueueOfferResult offered = queue.offer(notification);
    if (offered != QueueOfferResult.enqueued()) {
      ParleyMetrics.push(notification.platform(), "dropped");
      log.warn("push queue full ({}): dropped the push to {} for {}",
          settings.queueSize(), notification.userId(), notification.conversationId());
    }
  }

  private CompletionStage<Done> deliver(PushNotification n) {
    PushProvider provider = providers.get(n.platform());
    ProviderBreaker breaker = breakers.get(n.platform());
    return Patterns.retry(
            () -> breaker.call(() -> provider.send(n)),
            settings.maxAttempts() - 1,
            settings.minBackoff(),
            settings.maxBackoff(),
            settings.backoffJitter(),
            system)
        .handle((verdict, failure) -> {
          if (failure != null) {
            ParleyMetrics.push(n.platform(), "gave_up");
            log.warn("push to {} for {} given up after {} attempts: {}",
                n.userId(), n.conversationId(), settings.maxAttempts(), rootMessage(failure));
          } else {
            TokenRefusals.Judgement judgement = refusals.judge(n.platform(), verdict);
            if (judgement.remove()) {
              log.info("{} token of {} is no longer valid: removing it", n.platform(), n.userId());
              removeToken.accept(n.userId(), new PushToken(n.platform(), n.token()));
            }
            ParleyMetrics.push(n.platform(), judgement.outcome());
          }
          return Done.getInstance();
        });
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.toString();
  }

  /** Closes every provider's connections. */
  public CompletionStage<Void> close() {
    return CompletableFuture.allOf(providers.values().stream()
        .map(p -> p.close().toCompletableFuture())
        .toArray(CompletableFuture[]::new));
  }
}
