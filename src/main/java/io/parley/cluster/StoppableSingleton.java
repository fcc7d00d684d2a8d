package io.parley.cluster;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A cluster singleton whose work runs in a child, so that the singleton manager's stop (a
 * {@code PoisonPill}, when its node leaves or hands the singleton over) stops it at once.
 *
 * <p>Sent to a supervised behaviour, the stop waits out the supervisor's restart back-off (it is
 * stashed until the restart) and, for an event-sourced behaviour, the recovery after it; a
 * recovery that fails, as every one does while the store is unreachable, drops it. The singleton
 * then never stopped, and the node's shutdown waited out the cluster-exiting phase (10 s) before
 * it exited. Here the parent, a plain behaviour, stops on the stop, and its child with it, in
 * whatever state the child is: what a singleton does is redone by its next host. (A write the
 * archive clock has in flight may still land; it records a slot fired, which firing again undoes
 * nothing.)
 */
public final class StoppableSingleton {
  private StoppableSingleton() {}

  /** {@code work}, run as the child {@code name}; messages to the singleton are passed on to it. */
  public static <T> Behavior<T> of(Behavior<T> work, String name) {
    return Behaviors.setup(ctx -> {
      ActorRef<T> child = ctx.spawn(work, name);
      ctx.watch(child);
      // A child that stops by itself stops the singleton, as it would have without the parent;
      // the stop, unhandled, stops the parent.
      return Behaviors.receive(
          (context, message) -> {
            child.tell(message);
            return Behaviors.same();
          },
          (context, signal) -> signal instanceof Terminated ? Behaviors.stopped() : Behaviors.unhandled());
    });
  }
}
