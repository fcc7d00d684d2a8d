package io.parley.gateway;

import io.parley.conversation.Conversations;
import io.parley.push.PushTokenOwners;
import io.parley.user.Users;

/** The entities the gateway talks to: cluster sharding in the server, probes in tests. */
public interface Entities extends Conversations, Users, PushTokenOwners {}
