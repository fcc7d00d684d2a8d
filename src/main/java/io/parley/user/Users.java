package io.parley.user;

import org.apache.pekko.actor.typed.RecipientRef;

/**
 * How a user entity is reached. In the server this is cluster sharding, whose location
 * transparency is Parley's whole connection registry; tests substitute probes.
 */
@FunctionalInterface
public interface Users {
  RecipientRef<UserActor.Command> user(String userId);
}
