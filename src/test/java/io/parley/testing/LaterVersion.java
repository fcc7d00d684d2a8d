package io.parley.testing;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * What a node reads when a later version wrote {@code message}: serialized as it travels or is
 * stored, its JSON edited as the later version would write it, and read back here.
 */
public final class LaterVersion {
  private LaterVersion() {}

  /** {@code message} with the JSON text {@code was} written as {@code becomes}, as this node reads it. */
  @SuppressWarnings("unchecked")
  public static <T> T read(ActorSystem<?> system, T message, String was, String becomes) {
    Serialization serialization = SerializationExtension.get(system);
    Serializer serializer = serialization.findSerializerFor(message);
    String json = new String(serialization.serialize(message).get(), StandardCharsets.UTF_8);
    if (!json.contains(was)) {
      throw new IllegalArgumentException(was + " is not in " + json);
    }
    byte[] later = json.replace(was, becomes).getBytes(StandardCharsets.UTF_8);
    return (T) serialization.deserialize(later, serializer.identifier(), Serializers.manifestFor(serializer, message))
        .get();
  }

  /** The JSON {@code json} read here as the class {@code type}'s message, as if a later version wrote it. */
  public static <T> T readJson(ActorSystem<?> system, Class<T> type, String json) {
    Serialization serialization = SerializationExtension.get(system);
    Serializer serializer;
    try {
      serializer = serialization.serializerFor(type);
    } catch (java.io.NotSerializableException e) {
      throw new IllegalArgumentException(e);
    }
    return type.cast(serialization.deserialize(json.getBytes(StandardCharsets.UTF_8), serializer.identifier(),
        type.getName()).get());
  }
}
