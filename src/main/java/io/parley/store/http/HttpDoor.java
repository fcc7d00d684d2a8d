package io.parley.store.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.parley.store.engine.DaemonThreads;
import io.parley.store.engine.StoreEngine;
import io.parley.store.model.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * DynamoDB's JSON protocol over HTTP: {@code POST /} with {@code X-Amz-Target:
 * DynamoDB_20120810.<Operation>}. Signatures are accepted unchecked; every response carries the
 * {@code x-amz-crc32} the AWS SDK v1 checks.
 */
public final class HttpDoor implements AutoCloseable {
  private static final String TARGET_PREFIX = "DynamoDB_20120810.";
  private static final String CONTENT_TYPE = "application/x-amz-json-1.0";

  /**
   * The largest request read: DynamoDB's largest (BatchWriteItem, "up to 16 MB of data over the
   * network", API reference). A body is read whole, so without a bound one request could take the
   * heap.
   */
  public static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;

  /**
   * Jackson refuses JSON names past 50,000 characters by default, and an attribute name may be
   * up to 64 KB: names are bounded by the request's size instead, and checked as DynamoDB does.
   */
  private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
      .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
          .maxNameLength(MAX_REQUEST_BYTES).build())
      .build());

  /**
   * Requests run at once; later ones wait their turn. With a thread per request, clients that open
   * many connections and hold their bodies back started a thread each, without bound. An AWS SDK
   * client opens at most 50 connections by default.
   */
  public static final int MAX_REQUESTS_AT_ONCE = 64;

  private final HttpServer server;
  private final ExecutorService threads;
  private final JsonOperations operations;

  private HttpDoor(HttpServer server, ExecutorService threads, JsonOperations operations) {
    this.server = server;
    this.threads = threads;
    this.operations = operations;
  }

  /** Serves {@code engine} on {@code host}:{@code port} (port 0: any free port). */
  public static HttpDoor serve(StoreEngine engine, String host, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 256);
    ThreadPoolExecutor threads = new ThreadPoolExecutor(MAX_REQUESTS_AT_ONCE, MAX_REQUESTS_AT_ONCE, 60,
        TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        new DaemonThreads("parley-store-http-" + server.getAddress().getPort()));
    threads.allowCoreThreadTimeOut(true);
    HttpDoor door = new HttpDoor(server, threads, new JsonOperations(engine));
    server.createContext("/", door::handle);
    server.setExecutor(threads);
    server.start();
    return door;
  }

  /** Where the door listens, as an SDK's endpoint: {@code http://host:port}. */
  public String endpoint() {
    return endpointUri().toString();
  }

  public URI endpointUri() {
    InetSocketAddress address = server.getAddress();
    String host = address.getHostString().contains(":") ? "[" + address.getHostString() + "]" : address.getHostString();
    return URI.create("http://" + host + ":" + address.getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.getResponseHeaders().set("Allow", "POST");
        send(exchange, 405, error(StoreException.Code.ValidationException, "Only POST is supported"));
        return;
      }
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      if (target == null || !target.startsWith(TARGET_PREFIX)) {
        send(exchange, 400, error(StoreException.Code.UnknownOperationException,
            "X-Amz-Target must name a DynamoDB_20120810 operation"));
        return;
      }
      String operation = target.substring(TARGET_PREFIX.length());
      JsonNode body;
      try (InputStream in = exchange.getRequestBody()) {
        byte[] bytes = in.readNBytes(MAX_REQUEST_BYTES + 1);
        if (bytes.length > MAX_REQUEST_BYTES) {
          send(exchange, 413, error(StoreException.Code.ValidationException,
              "The request is larger than " + MAX_REQUEST_BYTES + " bytes"));
          return;
        }
        body = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
      } catch (IOException unreadable) {
        send(exchange, 400, error(StoreException.Code.SerializationException, "The request body is not JSON"));
        return;
      }
      if (body == null || !body.isObject()) {
        send(exchange, 400, error(StoreException.Code.SerializationException, "The request body must be a JSON object"));
        return;
      }
      try {
        send(exchange, 200, operations.run(operation, body));
      } catch (StoreException refused) {
        send(exchange, refused.code() == StoreException.Code.InternalServerError ? 500 : 400, error(refused));
      } catch (RuntimeException | Error failed) {
        // An Error too: left to the server, it drops the connection without an answer.
        send(exchange, 500, error(StoreException.Code.InternalServerError, String.valueOf(failed)));
      }
    }
  }

  private static ObjectNode error(StoreException refused) {
    ObjectNode node = error(refused.code(), refused.getMessage());
    if (refused instanceof StoreException.TransactionCanceled canceled) {
      ArrayNode reasons = node.putArray("CancellationReasons");
      canceled.reasons().forEach(reason -> {
        ObjectNode one = reasons.addObject().put("Code", reason.code());
        if (reason.message() != null) {
          one.put("Message", reason.message());
        }
        if (reason.item() != null) {
          one.set("Item", JsonValues.json(reason.item()));
        }
      });
    }
    if (refused instanceof StoreException.ConditionFailed failed && failed.item() != null) {
      node.set("Item", JsonValues.json(failed.item()));
    }
    return node;
  }

  private static ObjectNode error(StoreException.Code code, String message) {
    String namespace = code == StoreException.Code.ValidationException
        ? "com.amazon.coral.validate#" : code == StoreException.Code.SerializationException
        ? "com.amazon.coral.service#" : "com.amazonaws.dynamodb.v20120810#";
    ObjectNode node = JSON.createObjectNode();
    node.put("__type", namespace + code.name());
    node.put("message", message);
    return node;
  }

  private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", CONTENT_TYPE);
    headers.set("x-amz-crc32", Long.toString(crc.getValue()));
    headers.set("x-amzn-RequestId", UUID.randomUUID().toString());
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
