package io.parley.push;

import org.apache.pekko.actor.typed.RecipientRef;

/** How the owner record of a push token is reached (cluster sharding in the server, probes in tests). */
@FunctionalInterface
public interface PushTokenOwners {
  RecipientRef<PushTokenOwner.Command> pushTokenOwner(PushToken token);
}
