package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests that carry no valid token are limited per client address, at the edge: bad tokens on
 * HTTP calls and WebSocket upgrades, and dev tokens on a public API. The client address is the
 * peer's, or what a trusted proxy forwards. Requests come from two loopback addresses: 127.0.0.1
 * (a stranger) and 127.0.0.2 (the configured proxy).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeLimitsIT {
  private static final int BURST = 5;
  private static final int REQUESTS = 40;

  @TempDir static Path temp;
  ParleyProcess node;
  String aliceToken;

  @BeforeAll
  void start() {
    node = ParleyProcess.start(temp, Map.of(
        "PARLEY_EDGE_LIMIT_PER_SECOND", "1",
        "PARLEY_EDGE_LIMIT_BURST", Integer.toString(BURST),
        "PARLEY_TRUSTED_PROXIES", "127.0.0.2",
        // Dev tokens as on a public API, though bound to loopback here: they are limited too.
        "PARLEY_DEV_TOKENS", "insecure-public",
        "PARLEY_HTTP_HOST", "127.0.0.1"));
    aliceToken = new ApiClient(node).token("alice");
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void badTokensFromOneAddressGet429WithRetryAfterAndForwardedForFromAStrangerChangesNothing() throws Exception {
    List<Response> answers = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      String path = i % 2 == 0 ? "/v1/inbox" : "/v1/ws?device_id=phone";
      answers.add(request("127.0.0.1", "GET", path, "Bearer not-a-token", "198.51.100." + i));
    }
    assertTrue(answers.stream().allMatch(a -> a.status == 401 || a.status == 429), answers.toString());
    long limited = answers.stream().filter(a -> a.status == 429).count();
    assertTrue(limited >= REQUESTS / 2, "a stranger's own X-Forwarded-For must not spread its requests: " + answers);
    assertTrue(answers.stream().filter(a -> a.status == 429).allMatch(a -> a.retryAfter >= 1), answers.toString());
    assertTrue(answers.stream().anyMatch(a -> a.status == 429 && a.path.startsWith("/v1/ws")), "upgrades too");

    // Someone with a valid token at the same address is not refused for the stranger's failures.
    assertEquals(200, request("127.0.0.1", "GET", "/v1/inbox", "Bearer " + aliceToken, null).status);
  }

  @Test
  void behindATrustedProxyEachForwardedClientHasItsOwnLimit() throws Exception {
    for (int i = 0; i < REQUESTS; i++) {
      Response answer = request("127.0.0.2", "GET", "/v1/inbox", "Bearer not-a-token", "203.0.113." + i);
      assertEquals(401, answer.status, "client " + i + " behind the proxy: " + answer);
    }
    long limited = 0;
    for (int i = 0; i < REQUESTS; i++) {
      limited += request("127.0.0.2", "GET", "/v1/inbox", "Bearer not-a-token", "192.0.2.77").status == 429 ? 1 : 0;
    }
    assertTrue(limited >= REQUESTS / 2, "one forwarded client is limited: " + limited + " of " + REQUESTS);
  }

  @Test
  void devTokensOnAPublicApiAreLimitedPerAddress() throws Exception {
    long limited = 0;
    for (int i = 0; i < REQUESTS; i++) {
      Response answer = request("127.0.0.2", "POST", "/v1/dev/token", null, "192.0.2.200");
      assertTrue(answer.status == 200 || answer.status == 429, answer.toString());
      limited += answer.status == 429 ? 1 : 0;
    }
    assertTrue(limited >= REQUESTS / 2, "dev tokens limited: " + limited + " of " + REQUESTS);
  }

  record Response(String path, int status, long retryAfter) {}

  /** One HTTP/1.1 request from {@code localAddress}, on a connection of its own. */
  private Response request(String localAddress, String method, String path, String authorization, String forwardedFor)
      throws Exception {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
      socket.connect(new InetSocketAddress("127.0.0.1", node.httpPort), 5000);
      socket.setSoTimeout(20_000);
      String body = method.equals("POST") ? "{\"user_id\":\"mallory\"}" : "";
      StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Connection: close\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n");
      if (authorization != null) {
        request.append("Authorization: ").append(authorization).append("\r\n");
      }
      if (forwardedFor != null) {
        request.append("X-Forwarded-For: ").append(forwardedFor).append("\r\n");
      }
      request.append("\r\n").append(body);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      int status = Integer.parseInt(in.readLine().split(" ")[1]);
      long retryAfter = -1;
      for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
        if (header.regionMatches(true, 0, "Retry-After:", 0, 12)) {
          retryAfter = Long.parseLong(header.substring(12).trim());
        }
      }
      return new Response(path, status, retryAfter);
    }
  }
}
