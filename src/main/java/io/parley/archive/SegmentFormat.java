package io.parley.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.conversation.ChatMessage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A segment object's bytes: gzipped JSON lines, one message per line in ascending seq, with the
 * field names of the client protocol. Plain enough to read with {@code zcat | jq} when
 * operating the bucket, and independent of the journal's serializer. Sealed content stays sealed
 * ({@code key_id} names its sender's key), so that erasing the sender leaves it unreadable here too.
 */
public final class SegmentFormat {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SegmentFormat() {}

  public static byte[] encode(List<ChatMessage> messages) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Writer out = new OutputStreamWriter(new GZIPOutputStream(bytes), StandardCharsets.UTF_8)) {
      for (ChatMessage m : messages) {
        ObjectNode line = JSON.createObjectNode()
            .put("seq", m.seq())
            .put("message_id", m.messageId())
            .put("sender_id", m.senderId())
            .put("client_msg_id", m.clientMsgId())
            .put("content", m.content())
            .put("content_type", m.contentType())
            .put("server_ts", m.serverTs());
        if (m.sealed()) {
          line.put("key_id", m.keyId());
        }
        out.write(JSON.writeValueAsString(line));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static List<ChatMessage> decode(String conversationId, byte[] gzipped) {
    List<ChatMessage> messages = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(new ByteArrayInputStream(gzipped)), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          continue;
        }
        JsonNode m = JSON.readTree(line);
        messages.add(new ChatMessage(
            conversationId,
            m.get("seq").asLong(),
            m.get("message_id").asText(),
            m.get("sender_id").asText(),
            m.get("client_msg_id").asText(),
            m.get("content").asText(),
            m.get("content_type").asText(),
            m.get("server_ts").asLong(),
            m.hasNonNull("key_id") ? m.get("key_id").asText() : null,
            null));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return messages;
  }
}
