package io.parley.privacy;

import io.parley.cluster.JsonSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Tells every node that a user's content key was erased, so that none of them keeps it cached
 * and seals a new message with it (that message could never be read).
 */
public final class ErasedKeyNotices {
  public record KeyErased(String userId) implements JsonSerializable {}

  private ErasedKeyNotices() {}

  /** Subscribes this node's {@code keys} and has them publish their erasures. */
  public static void start(ActorSystem<?> system, ContentKeys keys) {
    ActorRef<Topic.Command<KeyErased>> topic = system.systemActorOf(
        Topic.create(KeyErased.class, "content-keys-erased"), "content-keys-erased", Props.empty());
    ActorRef<KeyErased> forgetting = system.systemActorOf(
        Behaviors.receiveMessage((KeyErased erased) -> {
          keys.forget(erased.userId());
          return Behaviors.same();
        }),
        "content-keys-forget", Props.empty());
    topic.tell(Topic.subscribe(forgetting));
    keys.onErased(userId -> topic.tell(Topic.publish(new KeyErased(userId))));
  }
}
