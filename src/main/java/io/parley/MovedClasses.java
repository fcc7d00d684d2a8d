package io.parley;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationState;
import io.parley.gateway.relay.GroupRelay;
import io.parley.push.PushTokenOwner;
import io.parley.user.UserState;
import java.util.Map;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads what was serialized under a class's former name. The Jackson serializer stores the class
 * name with every event and snapshot (and sends it with every message), so a class that moves
 * keeps its old name here, and in {@code pekko.serialization.jackson.migrations}, for as long as
 * data written under that name may still be read.
 */
public final class MovedClasses extends JacksonMigration {
  static final Map<String, Class<?>> BY_FORMER_NAME = Map.of(
      "io.parley.Done", Done.class,
      "io.parley.Outcome", Outcome.class,
      "io.parley.conversation.ConversationActor$Active", ConversationState.Active.class,
      "io.parley.conversation.ConversationActor$Empty", ConversationState.Empty.class,
      "io.parley.gateway.GroupRelay$MembershipChange", GroupRelay.MembershipChange.class,
      "io.parley.user.PushTokenOwner$Claim", PushTokenOwner.Claim.class,
      "io.parley.user.PushTokenOwner$OwnerChanged", PushTokenOwner.OwnerChanged.class,
      "io.parley.user.PushTokenOwner$OwnerReleased", PushTokenOwner.OwnerReleased.class,
      "io.parley.user.PushTokenOwner$State", PushTokenOwner.State.class,
      "io.parley.user.UserActor$State", UserState.class);

  /** Above the version an unversioned (former) name implies, so the serializer asks for the new name. */
  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    Class<?> moved = BY_FORMER_NAME.get(className);
    return moved == null ? className : moved.getName();
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }
}
