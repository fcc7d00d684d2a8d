package io.parley.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * An actor class's handlers by message type, built once for all its instances.
 *
 * <p>Pekko's handler builders ({@code newCommandHandlerBuilder}, {@code newEventHandlerBuilder},
 * {@code Behaviors.receive(...).onMessage(...)}) build a list of cases and lambdas for every actor
 * they start, and a running actor keeps it: about 3.4 KiB of each user entity, 8.5 KiB of each
 * conversation entity and 1.3 KiB of each connection (measured with class histograms). Here each
 * handler is given the actor as its first argument, so one table serves them all. Actors that run
 * a few at a time keep Pekko's builders.
 *
 * <p>As with Pekko's builders, a message goes to the first handler registered for a type it is an
 * instance of (so register a subtype before its supertype), then to a table given as
 * {@link Builder#otherwise} (Pekko's {@code forAnyState} after {@code forStateType}); which one
 * that is, is found once per message class.
 *
 * @param <A> the actor
 * @param <S> what the actor passes along with the message (an entity's state), if anything
 * @param <M> the messages
 * @param <R> what a handler returns (an effect, a new state, the next behavior)
 */
public final class HandlerTable<A, S, M, R> {
  @FunctionalInterface
  public interface Handler<A, S, M, R> {
    R apply(A actor, S state, M message);
  }

  private record Case<A, S, R>(Class<?> type, Handler<A, S, Object, R> handler) {}

  private final List<Case<A, S, R>> cases;
  private final HandlerTable<A, ? super S, M, R> otherwise;
  private final ClassValue<Handler<A, S, Object, R>> byClass = new ClassValue<>() {
    @Override
    protected Handler<A, S, Object, R> computeValue(Class<?> messageClass) {
      for (Case<A, S, R> c : cases) {
        if (c.type().isAssignableFrom(messageClass)) {
          return c.handler();
        }
      }
      return otherwise == null ? null : fallback(otherwise.byClass.get(messageClass));
    }
  };

  private HandlerTable(List<Case<A, S, R>> cases, HandlerTable<A, ? super S, M, R> otherwise) {
    this.cases = List.copyOf(cases);
    this.otherwise = otherwise;
  }

  public static <A, S, M, R> Builder<A, S, M, R> builder() {
    return new Builder<>();
  }

  private static <A, S, R> Handler<A, S, Object, R> fallback(Handler<A, ? super S, Object, R> handler) {
    return handler == null ? null : handler::apply;
  }

  /** What the handler for {@code message} returns; a message no handler takes is a programming error. */
  public R apply(A actor, S state, M message) {
    Handler<A, S, Object, R> handler = byClass.get(message.getClass());
    if (handler == null) {
      throw new IllegalArgumentException("no handler for " + message.getClass().getName());
    }
    return handler.apply(actor, state, message);
  }

  public static final class Builder<A, S, M, R> {
    private final List<Case<A, S, R>> cases = new ArrayList<>();

    private Builder() {}

    @SuppressWarnings("unchecked")
    public <T extends M> Builder<A, S, M, R> on(Class<T> type, Handler<A, S, ? super T, R> handler) {
      cases.add(new Case<>(type, (Handler<A, S, Object, R>) handler));
      return this;
    }

    private HandlerTable<A, ? super S, M, R> otherwise;

    /** Where messages go that no handler of this table takes. */
    public Builder<A, S, M, R> otherwise(HandlerTable<A, ? super S, M, R> table) {
      this.otherwise = table;
      return this;
    }

    public HandlerTable<A, S, M, R> build() {
      return new HandlerTable<>(cases, otherwise);
    }
  }
}
