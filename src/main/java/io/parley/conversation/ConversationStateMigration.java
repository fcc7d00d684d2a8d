package io.parley.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Snapshots written before the state moved out of {@link ConversationActor} name its classes
 * {@code ConversationActor$Active} and {@code ConversationActor$Empty}; they read as the same
 * classes in {@link ConversationState}. Registered for the old names in application.conf.
 */
public final class ConversationStateMigration extends JacksonMigration {
  private static final String OLD_PREFIX = ConversationActor.class.getName() + "$";
  private static final String NEW_PREFIX = ConversationState.class.getName() + "$";

  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    return className.startsWith(OLD_PREFIX) ? NEW_PREFIX + className.substring(OLD_PREFIX.length()) : className;
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }
}
