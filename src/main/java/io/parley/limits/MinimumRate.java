package io.parley.limits;

import java.time.Duration;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Fails a body that arrives slower than {@code bytesPerSecond} once its {@code grace} is spent:
 * the time it may take is {@code grace} plus a second for every {@code bytesPerSecond} bytes
 * received (Apache's mod_reqtimeout {@code MinRate}). An idle timeout counts any byte as
 * traffic, so without this a client trickling a byte at a time holds its upload slot for ever.
 * Only the time spent waiting for the client counts: while the stream downstream (object
 * storage) is busy, nothing is asked of the client.
 */
public final class MinimumRate extends GraphStage<FlowShape<ByteString, ByteString>> {

  public static final class TooSlow extends RuntimeException {
    TooSlow(long received, long waitedMillis) {
      super("the body arrived too slowly: " + received + " bytes in " + waitedMillis + " ms", null, false, false);
    }
  }

  private static final String DEADLINE = "deadline";

  private final long graceMillis;
  private final long bytesPerSecond;
  private final Inlet<ByteString> in = Inlet.create("MinimumRate.in");
  private final Outlet<ByteString> out = Outlet.create("MinimumRate.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);

  public MinimumRate(Duration grace, long bytesPerSecond) {
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("a minimum rate must be positive: " + bytesPerSecond);
    }
    this.graceMillis = grace.toMillis();
    this.bytesPerSecond = bytesPerSecond;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private long received;
      /** Time spent waiting for the client's bytes, before the current wait. */
      private long waitedNanos;
      /** When the current wait began; -1 while nothing is asked of the client. */
      private long waitingSince = -1;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            ByteString bytes = grab(in);
            received += bytes.size();
            waitedNanos += System.nanoTime() - waitingSince;
            waitingSince = -1;
            cancelTimer(DEADLINE);
            push(out, bytes);
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            waitingSince = System.nanoTime();
            pull(in);
            checkDeadline();
          }
        });
      }

      @Override
      public void onTimer(Object key) {
        checkDeadline();
      }

      private void checkDeadline() {
        if (waitingSince < 0) {
          return;
        }
        long waitedMillis = (waitedNanos + System.nanoTime() - waitingSince) / 1_000_000;
        long allowedMillis = graceMillis + received * 1000 / bytesPerSecond;
        if (waitedMillis >= allowedMillis) {
          failStage(new TooSlow(received, waitedMillis));
        } else {
          scheduleOnce(DEADLINE, Duration.ofMillis(allowedMillis - waitedMillis));
        }
      }
    };
  }
}
