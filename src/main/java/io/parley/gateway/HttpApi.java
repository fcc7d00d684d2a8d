package io.parley.gateway;

import static io.parley.gateway.QueryParameters.integer;
import static io.parley.gateway.QueryParameters.number;
import static io.parley.gateway.QueryParameters.once;
import static io.parley.gateway.QueryParameters.positive;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.auth.AuthSettings;
import io.parley.auth.JwtAuth;
import io.parley.auth.UserIds;
import io.parley.gateway.account.AccountErasure;
import io.parley.gateway.account.UserExport;
import io.parley.gateway.socket.WebSocketEndpoint;
import io.parley.limits.AddressLimits;
import io.parley.limits.ClientAddress;
import io.parley.operations.Audit;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** The HTTP API of PROTOCOL.md, the WebSocket upgrade, and dev tokens when switched on. */
public final class HttpApi extends AllDirectives {
  private final JwtAuth auth;
  private final ChatService chat;
  private final WebSocketEndpoint webSocket;
  private final UserExport export;
  private final AccountErasure erasure;
  private final AuthSettings.DevTokens devTokens;
  private final Duration devTokenTtl;
  private final AddressLimits strangers;
  private final ClientAddress clientAddress;
  private final RequestBodies bodies;
  private final MediaFetches fetches;
  private final UnmatchedRequests unmatched = new UnmatchedRequests();

  HttpApi(JwtAuth auth, ChatService chat, WebSocketEndpoint webSocket, UserExport export, AccountErasure erasure,
      AuthSettings.DevTokens devTokens, Duration devTokenTtl, AddressLimits strangers, ClientAddress clientAddress,
      RequestBodies bodies, MediaFetches fetches) {
    this.auth = auth;
    this.chat = chat;
    this.webSocket = webSocket;
    this.export = export;
    this.erasure = erasure;
    this.devTokens = devTokens;
    this.devTokenTtl = devTokenTtl;
    this.strangers = strangers;
    this.clientAddress = clientAddress;
    this.bodies = bodies;
    this.fetches = fetches;
  }

  /** JSON lines: one object per line, streamed. */
  static final ContentType NDJSON = ContentTypes.parse("application/x-ndjson");

  public Route route() {
    ExceptionHandler internal =
        ExceptionHandler.newBuilder()
            .matchAny(failure -> json(ApiError.from(failure)))
            .build();
    return handleExceptions(internal, () -> concat(
        webClient(),
        pathPrefix("v1", () -> unmatched.around(() -> concat(
            // A route checks the token before the method: a caller without a valid one gets 401
            // whatever the method, and only a caller it would serve learns (405) which it takes.
            path("ws", () -> authenticatedToken(token -> get(() -> webSocketRoute(token)))),
            path("inbox", () -> authenticated(user -> get(() -> inbox(user)))),
            path(segment("me").slash("export"), () -> authenticated(user -> get(() -> completeWithFuture(
                ChatService.guarded(() -> chat.limitExport(user))
                    .thenApply(allowed -> HttpResponse.create()
                        .withEntity(HttpEntities.createChunked(NDJSON, export.lines(user))))
                    .exceptionally(failure -> errorResponse(ApiError.from(failure))))))),
            path(segment("me").slash("settings"), () -> authenticated(user -> concat(
                get(() -> respond(() -> settings(user, null))),
                put(() -> body(request -> settings(user, ClientJson.requiredString(request, "group_adds"))))))),
            path("invites", () -> authenticated(user -> get(() -> respond(() -> chat.groups().invites(user)
                .thenApply(invites -> WireFormat.invites(null, invites).without("type")))))),
            pathPrefix("invites", () -> pathPrefix(segment(), conversationId -> concat(
                path("accept", () -> authenticated(user -> post(() -> answerInvite(user, conversationId, true)))),
                path("decline", () -> authenticated(user -> post(() -> answerInvite(user, conversationId, false))))))),
            path("me", () -> authenticated(user -> delete(() -> completeWithFuture(
                ChatService.guarded(() -> erasure.erase(user))
                    .exceptionally(failure -> errorResponse(ApiError.from(failure)))
                    .thenApply(response -> {
                      Audit.record(Audit.digest(user), "erase own account", Audit.digest(user),
                          Integer.toString(response.status().intValue()));
                      return response;
                    }))))),
            pathPrefix("conversations", () -> pathPrefix(segment(), conversationId -> concat(
                pathPrefix("messages", () -> concat(
                    pathEnd(() -> authenticated(user -> get(() -> history(user, conversationId)))),
                    path(segment(), seq ->
                        authenticated(user -> delete(() -> deleteMessage(user, conversationId, seq)))))),
                path("title", () -> authenticated(user -> put(() -> rename(user, conversationId)))),
                path("members", () -> authenticated(user -> concat(
                    get(() -> members(user, conversationId)),
                    post(() -> changeMembers(user, conversationId, true)),
                    delete(() -> changeMembers(user, conversationId, false)))))))),
            path("messages", () -> authenticated(user -> post(() -> send(user)))),
            path("groups", () -> authenticated(user -> post(() -> createGroup(user)))),
            path("devices", () -> authenticated(user -> concat(
                post(() -> pushDevice(user, true)),
                delete(() -> pushDevice(user, false))))),
            path("media", () -> authenticated(user -> post(() -> uploadMedia(user)))),
            pathPrefix("media", () -> path(segment(), mediaId ->
                authenticated(user -> fetches.route(user, mediaId)))),
            // Off, it is no endpoint: 404 whatever the method. It takes no token.
            path(segment("dev").slash("token"), () -> devTokens.issued() ? post(this::devToken) : reject()))))));
  }

  /** The browser client: the page at {@code /}, its files under {@code /app/}, never {@code /v1}. */
  private Route webClient() {
    return get(() -> concat(
        pathSingleSlash(() -> getFromResource("web/index.html", ContentTypes.TEXT_HTML_UTF8)),
        pathPrefix("app", () -> getFromResourceDirectory("web"))));
  }

  // ------------------------------------------------------------------------------------ routes

  private Route webSocketRoute(JwtAuth.Verified token) {
    return once("device_id", deviceId -> {
      if (deviceId.isEmpty() || !WebSocketEndpoint.isValidDeviceId(deviceId.get())) {
        return json(ApiError.badRequest("device_id must be 1–64 characters of [A-Za-z0-9_.-]"));
      }
      if (webSocket.isFull()) {
        return json(new ApiError(ErrorCode.UNAVAILABLE,
            "this node holds its maximum of " + webSocket.maxConnections + " connections; retry later", 1000L));
      }
      // Not a 404: the endpoint is here, the request is not one for it.
      return concat(extractWebSocketUpgrade(upgrade -> complete(webSocket.upgrade(upgrade, token, deviceId.get()))),
          json(ApiError.badRequest("/v1/ws is a WebSocket: the request must ask to upgrade to it (Upgrade: websocket)")));
    });
  }

  private Route inbox(String userId) {
    return once("limit", limit -> once("before_ts", beforeTs ->
        once("after_conversation_id", after ->
            respond(() -> chat.inbox(userId, integer("limit", limit), number("before_ts", beforeTs), after.orElse(null))
                .thenApply(items -> (JsonNode) WireFormat.inbox(null, items).without(java.util.List.of("type")))))));
  }

  private Route history(String userId, String conversationId) {
    return once("before", before -> once("limit", limit ->
        respond(() -> chat.history(userId, conversationId, positive("before", before), integer("limit", limit))
            .thenApply(page -> (JsonNode) WireFormat.history(null, conversationId, page).without("type")))));
  }

  private Route members(String userId, String conversationId) {
    return once("after", after -> once("limit", limit ->
        respond(() -> chat.groups().members(userId, conversationId, after.orElse(null), integer("limit", limit))
            .thenApply(page -> (JsonNode) WireFormat.members(null, conversationId, page).without("type")))));
  }

  /** {@code seqText}: the path's segment, so that one that is no integer is a bad request rather than no endpoint. */
  private Route deleteMessage(String userId, String conversationId, String seqText) {
    return respond(() -> {
      long seq = positive("seq", Optional.of(seqText));
      return chat.delete(userId, conversationId, seq)
          .thenApply(done -> (JsonNode) WireFormat.msgDeleted(null, conversationId, seq).without("type"));
    });
  }

  private Route send(String userId) {
    return body(request -> chat.send(userId, new ChatService.SendRequest(
            ClientJson.requiredString(request, "conversation_id"),
            ClientJson.requiredString(request, "client_msg_id"),
            ClientJson.requiredString(request, "content"),
            ClientJson.optionalString(request, "content_type"),
                    ClientJson.optionalStrings(request, "mentions")))
        .thenApply(ack -> WireFormat.sendAck(null, request.get("conversation_id").textValue(), ack)));
  }

  /**
   * Streams the body to object storage under its own size limit ({@code parley.media.max-bytes}),
   * in place of the server-wide 8 MiB one, which applies to every other route.
   */
  private Route uploadMedia(String userId) {
    return optionalHeaderValueByName("Expect", expect -> extractRequestEntity(entity -> respond(() ->
        chat.uploadMedia(userId, entity.getContentType(), entity.getContentLengthOption(),
                expect.filter(value -> value.equalsIgnoreCase("100-continue")).isPresent(),
                entity.withoutSizeLimit().getDataBytes())
            .thenApply(WireFormat::mediaStored))));
  }

  private Route createGroup(String userId) {
    return body(request -> chat.groups().createGroup(userId,
            ClientJson.requiredString(request, "title"),
            ClientJson.requiredStrings(request, "members"))
        .thenApply(created ->
            WireFormat.conversationCreated(null, created.value(), created.invited()).without("type")));
  }

  /**
   * As {@code conversation.add_members} / {@code conversation.remove_members}: {@code {members}},
   * up to 1,000 ids a request; answers {@code {conversation_id, added, invited}} or {@code {conversation_id, removed}}.
   */
  private Route changeMembers(String userId, String conversationId, boolean add) {
    return body(request -> {
      List<String> members = ClientJson.requiredStrings(request, "members");
      if (add) {
        return chat.groups().addMembers(userId, conversationId, members)
            .thenApply(added ->
                WireFormat.membersAdded(null, conversationId, members, added.invited()).without("type"));
      }
      return chat.groups().removeMembers(userId, conversationId, members)
          .thenApply(done -> WireFormat.membersRemoved(conversationId, members));
    });
  }

  /** As {@code conversation.rename}: {@code {title}}; answers {@code {conversation_id, title}}. */
  private Route rename(String userId, String conversationId) {
    return body(request -> chat.groups().rename(userId, conversationId, ClientJson.requiredString(request, "title"))
        .thenApply(done -> WireFormat.JSON.createObjectNode().put("conversation_id", conversationId)
            .put("title", request.get("title").textValue())));
  }

  /** As {@code settings.get} ({@code groupAdds} null) and {@code settings.set}. */
  private CompletionStage<JsonNode> settings(String userId, String groupAdds) {
    return chat.groups().groupAddPolicy(userId, groupAdds)
        .thenApply(policy -> WireFormat.settings(null, policy).without("type"));
  }

  /** As {@code conversation.accept_invite} / {@code conversation.decline_invite}. */
  private Route answerInvite(String userId, String conversationId, boolean accept) {
    return respond(() -> chat.groups().answerInvite(userId, conversationId, accept)
        .thenApply(invite -> WireFormat.inviteAnswered(null, conversationId, accept).without("type")));
  }

  /** As {@code device.register} / {@code device.unregister}: {@code {platform, token}}. */
  private Route pushDevice(String userId, boolean register) {
    return body(request -> chat.registerPushToken(userId,
            ClientJson.requiredString(request, "platform"),
            ClientJson.requiredString(request, "token"),
            register)
        .thenApply(done -> WireFormat.JSON.createObjectNode()
            .put("platform", request.get("platform").textValue())
            .put("registered", register)));
  }

  private Route devToken() {
    // On loopback only this machine asks; on a public API a token is what every stranger wants.
    return devTokens == AuthSettings.DevTokens.INSECURE_PUBLIC
        ? fromAddress(address -> {
          OptionalLong wait = strangers.take(address);
          return wait.isPresent() ? tooMany(wait.getAsLong()) : issueDevToken();
        })
        : issueDevToken();
  }

  private Route issueDevToken() {
    return body(request -> {
      String userId = ClientJson.requiredString(request, "user_id");
      if (!UserIds.isValid(userId)) {
        throw ApiError.badRequest("user_id must be " + UserIds.GRAMMAR);
      }
      ObjectNode token = WireFormat.JSON.createObjectNode().put("token", auth.issue(userId, devTokenTtl));
      return java.util.concurrent.CompletableFuture.completedFuture(token);
    });
  }

  // -------------------------------------------------------------------------------- directives

  /** The user id of a valid bearer token (header, or {@code access_token} for browsers), or 401. */
  private Route authenticated(Function<String, Route> inner) {
    return authenticatedToken(token -> inner.apply(token.userId()));
  }

  private Route authenticatedToken(Function<JwtAuth.Verified, Route> inner) {
    return optionalHeaderValueByName("Authorization", header ->
        once("access_token", queryToken -> {
          Optional<String> token = header
              .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
              .map(h -> h.substring(7).trim())
              .or(() -> queryToken);
          // Only failures count against an address: a valid token is never refused for what
          // others behind the same address did.
          return token.flatMap(auth::check)
              .map(inner)
              .orElseGet(() -> fromAddress(address -> {
                OptionalLong wait = strangers.take(address);
                return wait.isPresent()
                    ? tooMany(wait.getAsLong())
                    : json(new ApiError(ErrorCode.UNAUTHORIZED, "a valid bearer token is required"));
              }));
        }));
  }

  /** The client's address: the peer, or what a trusted proxy says in {@code X-Forwarded-For}. */
  private Route fromAddress(Function<String, Route> inner) {
    return extractRequest(request -> optionalHeaderValueByName("X-Forwarded-For", forwardedFor -> inner.apply(
        clientAddress.of(request.getAttribute(AttributeKeys.remoteAddress)
            .flatMap(remote -> remote.getAddress()), forwardedFor))));
  }

  private Route tooMany(long retryAfterSeconds) {
    return json(new ApiError(ErrorCode.RATE_LIMITED,
        "too many requests without a valid token from this address; retry later", retryAfterSeconds * 1000));
  }

  private Route body(Function<ObjectNode, CompletionStage<? extends JsonNode>> handler) {
    return extractRequestEntity(entity -> extractMaterializer(materializer ->
        respond(() -> bodies.read(entity, materializer)
            .thenCompose(body -> handler.apply(body).thenApply(node -> (JsonNode) node)))));
  }

  private Route respond(Supplier<CompletionStage<? extends JsonNode>> operation) {
    CompletionStage<HttpResponse> response =
        ChatService.<JsonNode>guarded(() -> operation.get().thenApply(node -> (JsonNode) node))
            .thenApply(node -> response(200, node))
            .exceptionally(failure -> errorResponse(ApiError.from(failure)));
    return completeWithFuture(response);
  }

  private Route json(ApiError error) {
    return complete(errorResponse(error));
  }

  static HttpResponse errorResponse(ApiError error) {
    HttpResponse response = response(error.code.httpStatus, WireFormat.errorBody(error));
    return error.retryAfterMs == null
        ? response
        : response.addHeader(RetryAfter.create(Math.max(1, (error.retryAfterMs + 999) / 1000)));
  }

  private static HttpResponse response(int status, JsonNode body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, WireFormat.render(body)));
  }
}
