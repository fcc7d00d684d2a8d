package io.parley.push;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.duration.FiniteDuration;

/**
 * One provider's circuit breaker (Pekko's), whose state takes in each call's outcome before the
 * caller hears of it. Pekko's {@code callWithCircuitBreakerCS} counts a failure in a callback
 * that may run after the caller's own, so the next push could start while the breaker still
 * counted one failure too few; here the push's answer waits for the count. Closed: calls go
 * through; open: refused; half-open: one trial call at a time. Calls time out after
 * {@code callTimeout}, which counts as a failure.
 */
final class ProviderBreaker {
  private static final Logger log = LoggerFactory.getLogger(ProviderBreaker.class);

  private final CircuitBreaker breaker;
  private final Duration callTimeout;
  private final Duration resetTimeout;
  private final AtomicBoolean trialUnderWay = new AtomicBoolean();

  ProviderBreaker(String platform, PushSettings settings, ActorSystem<?> system) {
    this.callTimeout = settings.callTimeout();
    this.resetTimeout = settings.breakerResetTimeout();
    this.breaker = CircuitBreaker.create(
            system.classicSystem().scheduler(), settings.breakerMaxFailures(), callTimeout, resetTimeout)
        .addOnOpenListener(() -> log.warn(
            "{} is failing: circuit breaker open, calls refused for {}", platform, resetTimeout))
        .addOnCloseListener(() -> log.info("{} answers again: circuit breaker closed", platform));
  }

  <T> CompletionStage<T> call(Supplier<CompletionStage<T>> body) {
    boolean trial = breaker.isHalfOpen();
    if (breaker.isOpen() || (trial && !trialUnderWay.compareAndSet(false, true))) {
      return CompletableFuture.failedFuture(new CircuitBreakerOpenException(
          FiniteDuration.apply(resetTimeout.toMillis(), TimeUnit.MILLISECONDS), "circuit breaker open"));
    }
    CompletableFuture<T> answer;
    try {
      answer = body.get().toCompletableFuture().copy();
    } catch (RuntimeException failure) {
      answer = CompletableFuture.failedFuture(failure);
    }
    return answer.orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((result, failure) -> {
      if (failure == null) {
        breaker.succeed();
      } else {
        breaker.fail();
      }
      if (trial) {
        trialUnderWay.set(false);
      }
    });
  }
}
