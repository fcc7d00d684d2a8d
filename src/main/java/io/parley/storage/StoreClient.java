package io.parley.storage;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * The node's one client of its store, for what Pekko builds from the actor system alone (the
 * readiness check, the management routes): the start-up hands over the client it created the
 * tables with, before anything asks for it.
 */
public final class StoreClient implements Extension {
  private static final Id ID = new Id();
  private final AtomicReference<AmazonDynamoDB> client = new AtomicReference<>();

  private StoreClient() {}

  public static StoreClient get(ActorSystem system) {
    return ID.get(system);
  }

  /** Called once, right after the actor system is created. */
  public void use(AmazonDynamoDB dynamo) {
    if (!client.compareAndSet(null, dynamo) && client.get() != dynamo) {
      throw new IllegalStateException("The node's store client is set already");
    }
  }

  public AmazonDynamoDB dynamo() {
    AmazonDynamoDB dynamo = client.get();
    if (dynamo == null) {
      throw new IllegalStateException("The node's store client is asked for before the start-up set it");
    }
    return dynamo;
  }

  private static final class Id extends AbstractExtensionId<StoreClient> {
    @Override
    public StoreClient createExtension(ExtendedActorSystem system) {
      return new StoreClient();
    }
  }
}
