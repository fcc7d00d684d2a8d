package io.parley.gateway.socket;

import java.time.Duration;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * A connection closes when its next request's head does not arrive in time: the first within
 * {@code first} of the accept, each later one within {@code between} of the answer before it.
 * pekko-http's idle timeout counts any byte as traffic, so a client that sends a header a byte at
 * a time would otherwise hold its connection (and a place in the node's connection limit) for
 * ever. The time a request's body takes and the time its answer takes do not count.
 */
public final class RequestDeadlines
    extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
  private static final String DEADLINE = "request-head";
  private final Inlet<HttpRequest> requestsIn = Inlet.create("RequestDeadlines.requestsIn");
  private final Outlet<HttpRequest> requestsOut = Outlet.create("RequestDeadlines.requestsOut");
  private final Inlet<HttpResponse> responsesIn = Inlet.create("RequestDeadlines.responsesIn");
  private final Outlet<HttpResponse> responsesOut = Outlet.create("RequestDeadlines.responsesOut");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      new BidiShape<>(requestsIn, requestsOut, responsesIn, responsesOut);
  private final Duration first;
  private final Duration between;

  RequestDeadlines(Duration first, Duration between) {
    this.first = first;
    this.between = between;
  }

  /** {@code handler} with the deadlines in front of it. */
  public static Flow<HttpRequest, HttpResponse, NotUsed> around(
      Flow<HttpRequest, HttpResponse, NotUsed> handler, Duration first, Duration between) {
    return BidiFlow.fromGraph(new RequestDeadlines(first, between)).join(handler);
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public TimerGraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      /** Requests handed on and not answered yet: no deadline runs while there are any. */
      private int unanswered;

      {
        setHandler(requestsIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            unanswered++;
            cancelTimer(DEADLINE);
            push(requestsOut, grab(requestsIn));
          }

          @Override
          public void onUpstreamFinish() {
            complete(requestsOut);
          }
        });
        setHandler(requestsOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(requestsIn);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(requestsIn, cause);
          }
        });
        setHandler(responsesIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            unanswered--;
            if (unanswered == 0) {
              scheduleOnce(DEADLINE, between);
            }
            push(responsesOut, grab(responsesIn));
          }
        });
        setHandler(responsesOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(responsesIn);
          }
        });
      }

      @Override
      public void preStart() {
        scheduleOnce(DEADLINE, first);
      }

      @Override
      public void onTimer(Object key) {
        // No answer can go to a request whose head never came: the connection is closed.
        completeStage();
      }
    };
  }
}
