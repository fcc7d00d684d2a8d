package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.auth.AuthSettings;
import io.parley.auth.JwtAuth;
import io.parley.gateway.socket.WebSocketEndpoint;
import io.parley.limits.AddressLimits;
import io.parley.limits.ClientAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.japi.function.Function;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API's routes for requests refused before any entity is asked: an endpoint that exists
 * answers what is wrong with the request, never that there is no such endpoint.
 */
class HttpApiRoutesTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final Clock clock = Clock.systemUTC();
  static final JwtAuth auth = new JwtAuth("a-secret-of-at-least-thirty-two-bytes-0123", clock);
  static final Function<HttpRequest, CompletionStage<HttpResponse>> api = new HttpApi(auth, null,
      new WebSocketEndpoint(testKit.system(), null, null, null, null, auth, Duration.ofSeconds(30),
          Duration.ofSeconds(5), 65536, 4 << 20, 10, null, clock),
      null, null, AuthSettings.DevTokens.OFF, Duration.ofHours(1),
      new AddressLimits(10, 20, 1000, clock), ClientAddress.trusting(""),
      new RequestBodies(131072, Duration.ofSeconds(20)), new MediaFetches(null)).route().handler(testKit.system());
  final String alice = auth.issue("alice", Duration.ofHours(1));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void theWebSocketEndpointAskedWithoutAnUpgradeIsABadRequest() {
    JsonNode refused = answer(400, HttpRequest.GET("/v1/ws?device_id=phone"));
    assertEquals("bad_request", refused.get("code").asText());
    assertEquals("/v1/ws is a WebSocket: the request must ask to upgrade to it (Upgrade: websocket)",
        refused.get("message").asText());
  }

  @Test
  void aMessageWhoseSeqIsNoIntegerIsABadRequest() {
    for (String seq : new String[] {"abc", "1.5", "99999999999999999999"}) {
      JsonNode refused = answer(400,
          HttpRequest.create("/v1/conversations/d:alice:bob/messages/" + seq).withMethod(HttpMethods.DELETE));
      assertEquals("bad_request", refused.get("code").asText(), seq);
      assertEquals(seq.startsWith("9") ? "seq is out of range" : "seq must be an integer",
          refused.get("message").asText(), seq);
    }
  }

  /** A seq below 1 can never hold a message: bad_request, not the not_found of a message gone. */
  @Test
  void aMessageWhoseSeqIsBelowOneIsABadRequest() {
    for (String seq : new String[] {"0", "-1"}) {
      JsonNode refused = answer(400,
          HttpRequest.create("/v1/conversations/d:alice:bob/messages/" + seq).withMethod(HttpMethods.DELETE));
      assertEquals("bad_request", refused.get("code").asText(), seq);
      assertEquals("seq must be a positive integer", refused.get("message").asText(), seq);
    }
  }

  @Test
  void aQueryIntegerBeyondALongIsOutOfRange() {
    assertEquals("limit is out of range",
        answer(400, HttpRequest.GET("/v1/inbox?limit=99999999999999999999")).get("message").asText());
    assertEquals("before_ts must be an integer",
        answer(400, HttpRequest.GET("/v1/inbox?before_ts=1e5")).get("message").asText());
  }

  /** A REST client sends before, not the WebSocket's before_seq: the error names what it sent. */
  @Test
  void aHistoryPageBeforeSeqZeroNamesTheQueryParameter() {
    for (String before : new String[] {"0", "-3"}) {
      assertEquals("before must be a positive integer", answer(400,
          HttpRequest.GET("/v1/conversations/d:alice:bob/messages?before=" + before)).get("message").asText(), before);
    }
  }

  /**
   * A query parameter given twice is refused, naming it, as a JSON field given twice is (before,
   * one of the copies was used without a word).
   */
  @Test
  void aQueryParameterGivenTwiceIsABadRequest() {
    String[][] cases = {
        {"/v1/conversations/d:alice:bob/messages?before=3&before=5", "before"},
        {"/v1/conversations/d:alice:bob/messages?limit=1&limit=200", "limit"},
        {"/v1/conversations/d:alice:bob/messages?before=3&limit=1&limit=1", "limit"},
        {"/v1/inbox?before_ts=1&before_ts=2", "before_ts"},
        {"/v1/conversations/g.1/members?after=a&after=b", "after"},
        {"/v1/ws?device_id=a&device_id=b", "device_id"}};
    for (String[] c : cases) {
      JsonNode refused = answer(400, HttpRequest.GET(c[0]));
      assertEquals("bad_request", refused.get("code").asText(), c[0]);
      assertEquals("the query parameter \"" + c[1] + "\" is given twice", refused.get("message").asText(), c[0]);
    }
  }

  /**
   * A method an endpoint does not take is 405 with the methods it does take (before: 404 "no such
   * endpoint: /inbox", the path without its /v1).
   */
  @Test
  void aMethodAnEndpointDoesNotTakeIsNotAllowed() {
    String[][] cases = {
        {"PUT", "/v1/inbox", "GET"},
        {"DELETE", "/v1/groups", "POST"},
        {"GET", "/v1/messages", "POST"},
        {"POST", "/v1/conversations/d:alice:bob/messages", "GET"},
        {"PUT", "/v1/conversations/d:alice:bob/members", "GET, POST, DELETE"},
        {"GET", "/v1/invites/g.1/accept", "POST"},
        {"DELETE", "/v1/me/settings", "GET, PUT"},
        {"POST", "/v1/ws", "GET"}};
    for (String[] c : cases) {
      HttpResponse response = response(HttpRequest.create(c[1]).withMethod(HttpMethods.lookup(c[0]).get()));
      JsonNode refused = body(405, response);
      assertEquals("bad_request", refused.get("code").asText(), c[1]);
      assertEquals(c[0] + " is not allowed on " + c[1] + "; it takes " + c[2], refused.get("message").asText());
      assertEquals(c[2], response.getHeader("Allow").map(h -> h.value()).orElse(null), c[1]);
    }
  }

  /**
   * A request without a valid token to an endpoint that needs one is 401 whatever its method, as
   * with the right method: the methods an endpoint takes are told only to a caller it would serve
   * (before, 405 came first, before the token was looked at).
   */
  @Test
  void aWrongMethodWithoutAValidTokenIsUnauthorizedFirst() {
    String[][] cases = {
        {"PUT", "/v1/inbox"}, {"DELETE", "/v1/groups"}, {"GET", "/v1/messages"},
        {"POST", "/v1/conversations/d:alice:bob/messages"}, {"PUT", "/v1/conversations/d:alice:bob/members"},
        {"GET", "/v1/invites/g.1/accept"}, {"DELETE", "/v1/me/settings"}, {"POST", "/v1/ws"},
        {"PUT", "/v1/media/abc"}, {"PATCH", "/v1/me"}};
    for (int i = 0; i < cases.length; i++) {
      String[] c = cases[i];
      HttpRequest request = HttpRequest.create(c[1]).withMethod(HttpMethods.lookup(c[0]).get());
      // Within the address's allowance of refused tokens (20 at once): half without one, half with a bad one.
      HttpResponse response = send(i % 2 == 0 ? request : (HttpRequest) request.addHeader(Authorization.oauth2("x.y.z")));
      JsonNode refused = body(401, response);
      assertEquals("unauthorized", refused.get("code").asText(), c[0] + " " + c[1]);
      assertEquals(Optional.empty(), response.getHeader("Allow"), c[0] + " " + c[1]);
    }
  }

  /** A path no endpoint has is 404 whatever the method, named whole (before: without its /v1). */
  @Test
  void aPathNoEndpointHasIsNotFoundNamedWhole() {
    for (String method : new String[] {"GET", "POST", "DELETE"}) {
      for (String path : new String[] {"/v1/nope", "/v1/inbox/x", "/v1/dev/token"}) {
        JsonNode refused = answer(404, HttpRequest.create(path).withMethod(HttpMethods.lookup(method).get()));
        assertEquals("not_found", refused.get("code").asText(), method + " " + path);
        assertEquals("no such endpoint: " + path, refused.get("message").asText(), method + " " + path);
      }
    }
  }

  private JsonNode answer(int status, HttpRequest request) {
    return body(status, response(request));
  }

  private HttpResponse response(HttpRequest request) {
    return send((HttpRequest) request.addHeader(Authorization.oauth2(alice)));
  }

  private HttpResponse send(HttpRequest request) {
    try {
      return api.apply(request).toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private JsonNode body(int status, HttpResponse response) {
    try {
      String body = response.entity().toStrict(5000, Materializer.matFromSystem(testKit.system()))
          .toCompletableFuture().get(5, TimeUnit.SECONDS).getData().utf8String();
      assertEquals(status, response.status().intValue(), body);
      return WireFormat.JSON.readTree(body);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
