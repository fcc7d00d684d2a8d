package io.parley.cluster;

import io.parley.archive.ArchiveCalendar;
import io.parley.conversation.ConversationActor;
import io.parley.push.PushToken;
import io.parley.push.PushTokenOwner;
import io.parley.user.UserActor;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * How entities reach each other. In the server this is cluster sharding, whose location
 * transparency is Parley's whole connection registry; tests substitute probes.
 */
public interface Entities {
  RecipientRef<UserActor.Command> user(String userId);

  RecipientRef<ConversationActor.Command> conversation(String conversationId);

  RecipientRef<PushTokenOwner.Command> pushTokenOwner(PushToken token);

  RecipientRef<ArchiveCalendar.Command> archiveCalendar(String pageId);
}
