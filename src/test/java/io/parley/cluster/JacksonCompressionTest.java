package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.parley.conversation.ChatMessage;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pekko's Jackson serializer reads LZ4-compressed payloads whatever its own setting, with the lz4-java
 * the pom puts in place of the archived one: the payloads Parley writes (gzip) and those written
 * with LZ4 both read back.
 */
class JacksonCompressionTest {
  private ActorSystem lz4;
  private ActorSystem parleys;

  private static ActorSystem system(String name, String compression) {
    Config config = ConfigFactory.parseString(compression)
        .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
        .withFallback(ConfigFactory.load());
    return ActorSystem.create(name, config);
  }

  @AfterEach
  void stop() {
    for (ActorSystem system : new ActorSystem[] {lz4, parleys}) {
      if (system != null) {
        system.terminate();
      }
    }
  }

  @Test
  void aPayloadCompressedWithLz4ReadsBackHereAndOnAParleyNode() throws Exception {
    lz4 = system("lz4", "pekko.serialization.jackson.jackson-json.compression"
        + " { algorithm = lz4, compress-larger-than = 0 KiB }");
    parleys = system("parley", "");
    ChatMessage message = new ChatMessage("d:a:b", 7, "id", "a", "cm", "hello ".repeat(2_000), "text", 1L);
    Serialization writing = SerializationExtension.get(lz4);
    byte[] bytes = writing.serialize(message).get();
    assertTrue(bytes.length < 2_000, "compressed: " + bytes.length + " bytes for 12,000 characters");
    int id = writing.findSerializerFor(message).identifier();
    String manifest = Serializers.manifestFor(writing.findSerializerFor(message), message);
    assertEquals(message, writing.deserialize(bytes, id, manifest).get());
    assertEquals(message, SerializationExtension.get(parleys).deserialize(bytes, id, manifest).get());
  }
}
