package io.parley.limits;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.util.ByteString;

/**
 * Passes at most {@code maxBytes} of a request body (a media upload, a JSON body of the API). Beyond that it fails its downstream with
 * {@link TooLarge} (so the S3 upload is not completed) but goes on reading and discarding up to
 * {@code drainBytes} more: a server that stops reading and closes while the client is still
 * sending makes the client see a connection reset instead of the 413 (the lingering close of
 * other servers). Materializes a stage that completes once the body is read to its end, or
 * abandoned, with whether it was over the limit.
 */
public final class SizeLimit extends AbstractGraphStageWithMaterializedValue<FlowShape<ByteString, ByteString>, CompletionStage<Boolean>> {

  public static final class TooLarge extends RuntimeException {
    TooLarge(long maxBytes) {
      super("body over " + maxBytes + " bytes", null, false, false);
    }
  }

  private final long maxBytes;
  private final long drainBytes;
  private final Inlet<ByteString> in = Inlet.create("SizeLimit.in");
  private final Outlet<ByteString> out = Outlet.create("SizeLimit.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);

  public SizeLimit(long maxBytes, long drainBytes) {
    this.maxBytes = maxBytes;
    this.drainBytes = drainBytes;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, CompletionStage<Boolean>> createLogicAndMaterializedValuePair(Attributes attributes) {
    CompletableFuture<Boolean> finished = new CompletableFuture<>();
    GraphStageLogic logic = new GraphStageLogic(shape) {
      private long seen;
      private boolean exceeded;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            ByteString bytes = grab(in);
            seen += bytes.size();
            if (!exceeded && seen <= maxBytes) {
              push(out, bytes);
              return;
            }
            if (!exceeded) {
              exceeded = true;
              fail(out, new TooLarge(maxBytes));
            }
            if (seen > maxBytes + drainBytes) {
              finished.complete(true);
              cancel(in);
            } else {
              pull(in);
            }
          }

          @Override
          public void onUpstreamFinish() {
            finished.complete(exceeded);
            completeStage();
          }

          @Override
          public void onUpstreamFailure(Throwable failure) {
            finished.complete(exceeded);
            failStage(failure);
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(in);
          }
        });
      }

      @Override
      public void postStop() {
        finished.complete(exceeded);
      }
    };
    return Pair.create(logic, finished);
  }
}
