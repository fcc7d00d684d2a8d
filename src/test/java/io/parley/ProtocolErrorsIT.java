package io.parley;

import static io.parley.testing.WsClient.frame;
import static io.parley.testing.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import io.parley.testing.ApiClient;
import io.parley.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Bad input over WebSocket and HTTP: the protocol's error codes, and the connection keeps working. */
class ProtocolErrorsIT extends SharedChatNode {
  @Test
  void badInputGetsTheProtocolsErrorAndTheConnectionKeepsWorking() {
    String alice = user("alice");
    String bob = user("bob");
    String conversation = directId(alice, bob);
    try (WsClient ws = connect(alice, "phone")) {
      ws.send("{not json");
      assertError(ws.await(type("error")), "bad_request", null);
      ws.send("[1,2]");
      assertError(ws.await(type("error")), "bad_request", null);
      ws.send(frame("teleport").put("req_id", "e1"));
      assertError(ws.await(WsClient.reply("e1")), "unknown_type", "e1");
      ws.send(frame("msg.send").put("req_id", "e2").put("conversation_id", conversation).put("content", "no id"));
      assertError(ws.await(WsClient.reply("e2")), "bad_request", "e2");
      ws.send(send(conversation, "e3", "x").put("req_id", "e3").put("content_type", "video"));
      assertError(ws.await(WsClient.reply("e3")), "bad_request", "e3");
      ws.send(send("bad id!", "e4", "x").put("req_id", "e4"));
      assertError(ws.await(WsClient.reply("e4")), "bad_request", "e4");
      ws.send(frame("msg.send").put("req_id", "e5").put("conversation_id", conversation)
          .put("client_msg_id", "e5").put("content", 42));
      assertError(ws.await(WsClient.reply("e5")), "bad_request", "e5");
      ws.send(send(conversation, "e6", "y".repeat(4097)).put("req_id", "e6"));
      assertError(ws.await(WsClient.reply("e6")), "too_large", "e6");
      ws.send(send(directId(bob, user("carol")), "e7", "not mine").put("req_id", "e7"));
      assertError(ws.await(WsClient.reply("e7")), "not_member", "e7");
      ws.send(frame("ack").put("req_id", "e8").put("cursor", "ten"));
      assertError(ws.await(WsClient.reply("e8")), "bad_request", "e8");
      ws.send(frame("ack").put("req_id", "e9").put("cursor", 1_000_000));
      assertError(ws.await(WsClient.reply("e9")), "bad_request", "e9");
      ws.send(frame("msg.read").put("req_id", "e10").put("conversation_id", "g.nope").put("seq", 1));
      assertError(ws.await(WsClient.reply("e10")), "not_member", "e10");
      ws.send(frame("history.get").put("req_id", "e11").put("conversation_id", "g.nope"));
      assertError(ws.await(WsClient.reply("e11")), "not_found", "e11");
      // A field given twice is refused, not read as either copy; the error still carries the req_id.
      ws.send("{\"type\":\"msg.send\",\"req_id\":\"e12\",\"conversation_id\":\"" + conversation
          + "\",\"client_msg_id\":\"e12\",\"content\":\"one\",\"content\":\"two\"}");
      assertError(ws.await(WsClient.reply("e12")), "bad_request", "e12");
      // A seq no message can have is bad input, not a message not found.
      ws.send(frame("msg.delete").put("req_id", "e13").put("conversation_id", conversation).put("seq", 0));
      JsonNode noSeq = ws.await(WsClient.reply("e13"));
      assertError(noSeq, "bad_request", "e13");
      assertEquals("seq must be a positive integer", noSeq.get("message").asText());

      // Nothing was stored by any of that: the next message is seq 1.
      JsonNode ack = ws.request(send(conversation, "ok", "finally"));
      assertEquals(1, ack.get("seq").asLong());
    }
  }

  @Test
  void httpErrorsUseStatusAndCodeBody() {
    String alice = api.token(user("alice"));
    assertEquals(401, api.get(null, "/v1/inbox").status());
    assertEquals("unauthorized", api.get("not-a-jwt", "/v1/inbox").body().get("code").asText());
    ApiClient.Response invalid = api.post(alice, "/v1/messages", "{oops");
    assertEquals(400, invalid.status());
    assertEquals("bad_request", invalid.body().get("code").asText());
    assertNotNull(invalid.body().get("message").asText());
    ApiClient.Response list = api.post(alice, "/v1/messages", "[]");
    assertEquals(400, list.status());
    assertEquals("the body must be a JSON object", list.body().get("message").asText());
    ApiClient.Response twice = api.post(alice, "/v1/messages",
        "{\"conversation_id\":\"d:a:b\",\"client_msg_id\":\"t\",\"content\":\"x\",\"content\":\"y\"}");
    assertEquals(400, twice.status());
    assertTrue(twice.body().get("message").asText().startsWith("the field \"content\" is given twice"),
        twice.body().toString());
    // A body is held to what the largest request needs, not read into memory up to pekko-http's 8 MiB.
    ApiClient.Response huge = api.post(alice, "/v1/messages",
        "{\"conversation_id\":\"d:a:b\",\"client_msg_id\":\"h\",\"content\":\"" + "x".repeat(131_072) + "\"}");
    assertEquals(413, huge.status());
    assertEquals("too_large", huge.body().get("code").asText());
    assertEquals("a request body is at most 131072 bytes", huge.body().get("message").asText());
    assertEquals(400, api.get(alice, "/v1/inbox?limit=abc").status());
    assertEquals(404, api.get(alice, "/v1/conversations/g.none/messages").status());
    ApiClient.Response limitTwice = api.get(alice, "/v1/conversations/d:a:b/messages?limit=1&limit=200");
    assertEquals(400, limitTwice.status(), String.valueOf(limitTwice.body()));
    assertEquals("the query parameter \"limit\" is given twice", limitTwice.body().get("message").asText());
    ApiClient.Response seqZero = api.delete(alice, "/v1/conversations/d:a:b/messages/0", "");
    assertEquals(400, seqZero.status(), String.valueOf(seqZero.body()));
    assertEquals("seq must be a positive integer", seqZero.body().get("message").asText());
  }

  /** A method a real endpoint does not take is 405; a path no endpoint has is 404, named whole. */
  @Test
  void aWrongMethodIsNotAllowedAndAnUnknownPathNotFound() {
    String alice = api.token(user("alice"));
    ApiClient.Response put = api.put(alice, "/v1/inbox", "{}");
    assertEquals(405, put.status(), String.valueOf(put.body()));
    assertEquals("bad_request", put.body().get("code").asText());
    assertEquals("PUT is not allowed on /v1/inbox; it takes GET", put.body().get("message").asText());
    ApiClient.Response delete = api.delete(alice, "/v1/groups", "{}");
    assertEquals(405, delete.status(), String.valueOf(delete.body()));
    assertEquals("DELETE is not allowed on /v1/groups; it takes POST", delete.body().get("message").asText());
    for (ApiClient.Response none : new ApiClient.Response[] {
        api.get(alice, "/v1/nope"), api.post(alice, "/v1/nope", "{}")}) {
      assertEquals(404, none.status(), String.valueOf(none.body()));
      assertEquals("not_found", none.body().get("code").asText());
      assertEquals("no such endpoint: /v1/nope", none.body().get("message").asText());
    }
  }

  /**
   * A request too malformed or too large to reach a route (pekko-http refuses it while parsing)
   * still gets the JSON error body, with the status pekko-http chose.
   */
  @Test
  void aRequestRefusedWhileParsedGetsTheCodeBodyToo() {
    String alice = api.token(user("alice"));
    ApiClient.Response longUri = api.get(alice, "/v1/inbox?before_ts=" + "1".repeat(17_000));
    assertEquals(414, longUri.status());
    assertEquals("too_large", longUri.body().get("code").asText(), longUri.body().toString());
    assertFalse(longUri.body().get("message").asText().isEmpty());
  }

  /**
   * A browser passes its token as {@code access_token}: one that fits the Authorization header (an
   * identity provider's, with many claims) fits the URL too.
   */
  @Test
  void aLongTokenIsAcceptedAsTheAccessTokenParameterAsInTheHeader() throws Exception {
    String alice = user("alice");
    String secret = Files.readString(node.dataDir.resolve("jwt-secret"), StandardCharsets.UTF_8).trim();
    long now = Instant.now().getEpochSecond();
    String claims = "{\"sub\":\"" + alice + "\",\"iat\":" + now + ",\"exp\":" + (now + 3600)
        + ",\"groups\":\"" + "g".repeat(6000) + "\"}";
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(claims));
    jws.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    String token = jws.serialize();
    assertTrue(token.length() > 8000, "longer than a URL of pekko-http's default limit: " + token.length());
    assertEquals(200, api.get(token, "/v1/inbox").status(), "in the header");
    ApiClient.Response inQuery = api.get(null, "/v1/inbox?access_token=" + token);
    assertEquals(200, inQuery.status(), String.valueOf(inQuery.body()));
  }

  private static void assertError(JsonNode error, String code, String reqId) {
    assertEquals("error", error.get("type").asText(), error.toString());
    assertEquals(code, error.get("code").asText(), error.toString());
    assertFalse(error.get("message").asText().isEmpty());
    if (reqId != null) {
      assertEquals(reqId, error.get("req_id").asText());
    }
  }
}
