package io.parley.storage;

import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;

/**
 * pekko-http's client connection pools (the S3 connector's requests go through the shared one)
 * close with the node, before its actor system terminates. Left to the termination, a pool's
 * stream was torn down with the materializer while the pool master still ran, and a clean stop
 * logged an ERROR, "connection pool for Pool(shared->…) has shut down unexpectedly".
 */
public final class HttpClientPools {
  private HttpClientPools() {}

  /** In the last phase of the node's shutdown: its entities, which read and write S3, have stopped. */
  public static void closeWhenTheNodeStops(ActorSystem<?> system) {
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "close-http-client-pools", () -> Http.get(system).shutdownAllConnectionPools().thenApply(closed -> Done.done()));
  }
}
