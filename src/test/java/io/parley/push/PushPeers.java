package io.parley.push;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.parley.testing.ApnsTestServer;
import io.parley.testing.FcmTestServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** Both push test servers, and both providers configured for them as a node would be. */
final class PushPeers implements AutoCloseable {
  final ApnsTestServer apnsServer;
  final FcmTestServer fcmServer;
  final PushProvider apns;
  final PushProvider fcm;

  PushPeers(Path dir) throws Exception {
    apnsServer = new ApnsTestServer(dir);
    fcmServer = new FcmTestServer(dir);
    apns = ApnsProvider.fromConfig(config(apnsServer.nodeEnv()), Clock.systemUTC()).orElseThrow();
    fcm = FcmProvider.fromConfig(config(fcmServer.nodeEnv())).orElseThrow();
  }

  /** The node's configuration with these environment variables set. */
  static Config config(Map<String, String> env) {
    StringBuilder hocon = new StringBuilder();
    env.forEach((name, value) -> hocon.append(name).append(" = \"").append(value).append("\"\n"));
    return ConfigFactory.parseString(hocon.toString())
        .withFallback(ConfigFactory.parseResources("application.conf"))
        .resolve();
  }

  @Override
  public void close() throws Exception {
    apns.close().toCompletableFuture().get();
    fcm.close().toCompletableFuture().get();
    apnsServer.close();
    fcmServer.close();
  }
}
