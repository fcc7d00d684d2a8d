package io.parley;

import static io.parley.testing.WsClient.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.WsClient;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Media downloads: who may fetch media, and how many downloads one user may hold at once. */
class MediaDownloadIT extends SharedMediaNode {
  /** parley.media.max-downloads-per-user's default. */
  static final int DOWNLOADS_PER_USER = 8;

  @Test
  void slowReadersHoldNeitherTheNodesStorageConnectionsNorMoreThanTheirOwnDownloads() throws Exception {
    String reader = api.token(user("reader"));
    // Larger than what the sockets on the way can hold, so that a reader who stops reading stops
    // the node's reading too.
    String video = uploadBytes(reader, "video/mp4", new Body(20L * MiB, -1).readAll());
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < DOWNLOADS_PER_USER; i++) {
        stalled.add(stalledDownload(reader, video));
      }
      awaitMetric("parley_media_downloads", DOWNLOADS_PER_USER); // what operators see
      HttpResponse<String> another = http.send(getWithin20s(reader, video), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, another.statusCode(), another.body());
      assertEquals("you have 8 downloads in progress on this node; finish one first",
          ApiClient.JSON.readTree(another.body()).get("message").asText());

      // Everyone else's traffic to object storage goes on: an upload and a download, at once.
      String other = api.token(user("other"));
      HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(node.http("/v1/media"))
              .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + other)
              .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofString("a small picture")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, uploaded.statusCode(), uploaded.body());
      String picture = ApiClient.JSON.readTree(uploaded.body()).get("media_url").asText();
      HttpResponse<String> fetched = http.send(getWithin20s(other, picture), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, fetched.statusCode());
      assertEquals("a small picture", fetched.body());
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
    // The readers gone, their places come back: the same user downloads the video whole.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Download again;
    while ((again = download(reader, video)).status() == 503 && System.nanoTime() < deadline) {
      Thread.sleep(100); // polled: the node notices the closed sockets on its own time
    }
    assertEquals(200, again.status());
    assertEquals(20L * MiB, again.bytes());
    awaitMetric("parley_media_downloads", 0);
  }

  @Test
  void onlyTheUploaderAndMembersOfAConversationWhereItWasSentMayFetchIt() throws Exception {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    String dave = user("dave");
    String erin = user("erin");
    byte[] picture = new Body(300_000, -1).readAll();
    String url = uploadBytes(api.token(alice), "image/png", picture);

    // The uploader may; nobody else, until it is sent to them.
    assertArrayEquals(picture, downloadBytes(api.token(alice), url));
    assertNotFound(api.token(bob), url);
    JsonNode unauthenticated = get(null, url);
    assertEquals(401, unauthenticated.get("status").asInt());

    ApiClient.Response group = api.post(api.token(alice), "/v1/groups",
        "{\"title\":\"Pictures\",\"members\":[\"" + bob + "\",\"" + erin + "\"]}");
    String groupId = group.body().get("conversation_id").asText();
    try (WsClient alicePhone = WsClient.connect(node, api.token(alice), "phone");
        WsClient bobPhone = WsClient.connect(node, api.token(bob), "phone")) {
      JsonNode ack = alicePhone.request(frame("msg.send").put("conversation_id", groupId)
          .put("client_msg_id", "pic-1").put("content", url).put("content_type", "media"));
      assertEquals("msg.ack", ack.get("type").asText(), ack.toString());
      JsonNode delivered = bobPhone.await(f -> "msg.new".equals(f.path("type").asText())
          && groupId.equals(f.path("conversation_id").asText()));
      assertEquals(url, delivered.get("content").asText());
      assertEquals("media", delivered.get("content_type").asText());
    }

    // Members of the group may; the inbox says it is media, never the URL.
    assertArrayEquals(picture, downloadBytes(api.token(bob), url));
    assertArrayEquals(picture, downloadBytes(api.token(erin), url));
    JsonNode inboxItem = api.get(api.token(bob), "/v1/inbox").body().get("items").get(0);
    assertEquals(groupId, inboxItem.get("conversation_id").asText());
    assertEquals("[media]", inboxItem.get("last_message_preview").asText());

    // A non-member may neither fetch it nor pass it on; their attempt grants nobody anything.
    assertNotFound(api.token(carol), url);
    ApiClient.Response resent = api.post(api.token(carol), "/v1/messages", mediaMessage(carol, dave, url));
    assertEquals(404, resent.status());
    assertEquals("not_found", resent.body().get("code").asText());
    assertNotFound(api.token(dave), url);

    // A member may forward it, which lets the new conversation's members see it.
    assertEquals(200, api.post(api.token(bob), "/v1/messages", mediaMessage(bob, dave, url)).status());
    assertArrayEquals(picture, downloadBytes(api.token(dave), url));

    // Access follows current membership: a member who left is refused.
    try (WsClient erinPhone = WsClient.connect(node, api.token(erin), "phone")) {
      erinPhone.send(frame("conversation.leave").put("conversation_id", groupId));
      erinPhone.await(f -> "conversation.updated".equals(f.path("type").asText()));
    }
    assertNotFound(api.token(erin), url);

    // The content of a media message must be one of our media URLs.
    ApiClient.Response foreign = api.post(api.token(alice), "/v1/messages",
        mediaMessage(alice, bob, "https://example.com/cat.png"));
    assertEquals(400, foreign.status());
    assertEquals("bad_request", foreign.body().get("code").asText());
    assertNotFound(api.token(alice), "/v1/media/AAAAAAAAAAAAAAAAAAAAAA");
  }

  @Test
  void aDirectConversationsMembersAreThoseItStartedWithNotAnyPairItsIdCouldName() throws Exception {
    // d:x…:y…:z is the id of x… with y…:z, and also of x…:y… with z (':' is allowed in user ids).
    String first = user("x");
    String second = first.replace("x-", "y-") + ":z";
    String impostor = first + ":" + first.replace("x-", "y-");
    String conversation = "d:" + first + ":" + second;
    assertEquals(conversation, "d:" + impostor + ":z", "the same id names both pairs");
    String url = uploadBytes(api.token(first), "image/png", new Body(1000, -1).readAll());
    assertEquals(200, api.post(api.token(first), "/v1/messages", mediaMessage(first, second, url)).status());
    assertEquals(1000, downloadBytes(api.token(second), url).length);
    assertNotFound(api.token(impostor), url);
  }

  @Test
  void mediaWhoseObjectIsGoneFromTheBucketIsNotFound() throws Exception {
    // As after its uploader's account was erased: the record remains, the object does not.
    String alice = user("alice");
    String url = uploadBytes(api.token(alice), "image/png", new Body(1000, -1).readAll());
    bucket.deleteObject(b -> b.bucket(BUCKET).key(objectKey(alice, url)));
    assertNotFound(api.token(alice), url);
  }

  /**
   * HEAD is answered as GET, without the body: the same status, type, length and headers, under
   * the same rules (before, it was refused as a method the route does not take).
   */
  @Test
  void aHeadIsAnsweredAsAGetWithoutTheBody() throws Exception {
    String alice = user("alice");
    String url = uploadBytes(api.token(alice), "image/png", new Body(3000, -1).readAll());
    HttpResponse<byte[]> head = head(api.token(alice), url);
    assertEquals(200, head.statusCode(), new String(head.body(), StandardCharsets.UTF_8));
    assertEquals("image/png", head.headers().firstValue("Content-Type").orElse(null));
    assertEquals("3000", head.headers().firstValue("Content-Length").orElse(null));
    assertEquals("nosniff", head.headers().firstValue("X-Content-Type-Options").orElse(null));
    assertEquals(0, head.body().length);
    assertEquals(404, head(api.token(user("bob")), url).statusCode(), "bob may not see it");
    assertEquals(401, head(null, url).statusCode());
    assertEquals(404, head(api.token(alice), "/v1/media/AAAAAAAAAAAAAAAAAAAAAA").statusCode());
    bucket.deleteObject(b -> b.bucket(BUCKET).key(objectKey(alice, url)));
    assertEquals(404, head(api.token(alice), url).statusCode(), "its object is gone");
    assertEquals(404, download(api.token(alice), url).status(), "as for a GET");
  }

  /**
   * A video player asks for byte ranges: one range is answered 206 with its bytes alone and a
   * Content-Range, a range past the end 416, several ranges or a malformed one the whole file
   * (before, every Range was ignored: 200 and the whole file).
   */
  @Test
  void aRangeIsAnsweredWithThoseBytesAlone() throws Exception {
    String alice = user("alice");
    byte[] content = new Body(1000, -1).readAll();
    String url = uploadBytes(api.token(alice), "video/mp4", content);
    String token = api.token(alice);

    HttpResponse<byte[]> first = ranged(token, url, "bytes=0-1");
    assertEquals(206, first.statusCode());
    assertEquals("bytes 0-1/1000", first.headers().firstValue("Content-Range").orElse(null));
    assertEquals("2", first.headers().firstValue("Content-Length").orElse(null));
    assertEquals("bytes", first.headers().firstValue("Accept-Ranges").orElse(null));
    assertEquals("video/mp4", first.headers().firstValue("Content-Type").orElse(null));
    assertEquals("nosniff", first.headers().firstValue("X-Content-Type-Options").orElse(null));
    assertArrayEquals(java.util.Arrays.copyOfRange(content, 0, 2), first.body());

    HttpResponse<byte[]> suffix = ranged(token, url, "bytes=-10");
    assertEquals(206, suffix.statusCode());
    assertEquals("bytes 990-999/1000", suffix.headers().firstValue("Content-Range").orElse(null));
    assertArrayEquals(java.util.Arrays.copyOfRange(content, 990, 1000), suffix.body());

    HttpResponse<byte[]> open = ranged(token, url, "bytes=5-");
    assertEquals(206, open.statusCode());
    assertEquals("bytes 5-999/1000", open.headers().firstValue("Content-Range").orElse(null));
    assertArrayEquals(java.util.Arrays.copyOfRange(content, 5, 1000), open.body());

    HttpResponse<byte[]> pastTheEnd = ranged(token, url, "bytes=1000-");
    assertEquals(416, pastTheEnd.statusCode());
    assertEquals("bytes */1000", pastTheEnd.headers().firstValue("Content-Range").orElse(null));

    for (String whole : new String[] {"bytes=0-1,5-6", "bytes=5-2", "pages=1-2"}) {
      HttpResponse<byte[]> answered = ranged(token, url, whole);
      assertEquals(200, answered.statusCode(), whole);
      assertArrayEquals(content, answered.body(), whole);
    }
    assertEquals(404, ranged(api.token(user("bob")), url, "bytes=0-1").statusCode(), "bob may not see it");
  }

  private HttpResponse<byte[]> ranged(String token, String url, String range) throws Exception {
    return http.send(HttpRequest.newBuilder(node.http(url)).timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + token).header("Range", range).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> head(String token, String url) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(node.http(url)).timeout(Duration.ofSeconds(20))
        .method("HEAD", HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** A GET of {@code url} answered 200, whose body its client then stops reading. */
  private Socket stalledDownload(String token, String url) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", node.httpPort));
    socket.setSoTimeout(20_000);
    socket.getOutputStream().write(("GET " + url + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    byte[] status = socket.getInputStream().readNBytes("HTTP/1.1 200".length());
    assertEquals("HTTP/1.1 200", new String(status, StandardCharsets.US_ASCII));
    return socket;
  }

  private HttpRequest getWithin20s(String token, String url) {
    return HttpRequest.newBuilder(node.http(url)).timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + token).build();
  }

  private static String mediaMessage(String from, String to, String url) {
    String conversation = from.compareTo(to) <= 0 ? "d:" + from + ":" + to : "d:" + to + ":" + from;
    return "{\"conversation_id\":\"" + conversation + "\",\"client_msg_id\":\"" + UUID.randomUUID()
        + "\",\"content\":\"" + url + "\",\"content_type\":\"media\"}";
  }

  private byte[] downloadBytes(String token, String url) throws Exception {
    HttpResponse<byte[]> response = http.send(
        HttpRequest.newBuilder(node.http(url)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode(), new String(response.body()));
    assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(null));
    return response.body();
  }

  /** Status and body of a GET, as {@code {"status":…,"body":…}}. */
  private JsonNode get(String token, String url) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(node.http(url));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    var node = ApiClient.JSON.createObjectNode().put("status", response.statusCode());
    node.set("body", ApiClient.JSON.readTree(response.body()));
    return node;
  }

  /** Refused as PROTOCOL.md says: 404 with {@code {"code":"not_found","message":…}}. */
  private void assertNotFound(String token, String url) throws Exception {
    JsonNode response = get(token, url);
    assertEquals(404, response.get("status").asInt(), response.toString());
    assertEquals("not_found", response.get("body").get("code").asText());
    assertFalse(response.get("body").get("message").asText().isEmpty());
  }
}
