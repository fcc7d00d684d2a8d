package io.parley.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameGateTest {
  @Test
  void framesWaitInOrderUntilTheGateOpensThenGoOutAtOnce() {
    List<Integer> out = new ArrayList<>();
    FrameGate gate = new FrameGate(10);
    gate.send(() -> out.add(1));
    gate.send(() -> out.add(2));
    assertEquals(List.of(), out);
    gate.open();
    assertEquals(List.of(1, 2), out);
    gate.send(() -> out.add(3));
    assertEquals(List.of(1, 2, 3), out);
  }

  @Test
  void aFullGateOpensRatherThanHoldMore() {
    List<Integer> out = new ArrayList<>();
    FrameGate gate = new FrameGate(2);
    gate.send(() -> out.add(1));
    gate.send(() -> out.add(2));
    assertEquals(List.of(), out);
    gate.send(() -> out.add(3));
    assertEquals(List.of(1, 2, 3), out);
  }

  @Test
  void aBoundedGateCallsForACloseRatherThanHoldMoreFramesAndDropsThem() {
    List<Integer> out = new ArrayList<>();
    List<String> full = new ArrayList<>();
    FrameGate gate = new FrameGate(2, 1000, () -> full.add("full"));
    gate.send(() -> out.add(1), 10);
    gate.send(() -> out.add(2), 10);
    gate.send(() -> out.add(3), 10);
    gate.send(() -> out.add(4), 10);
    assertEquals(List.of("full"), full, "called once");
    gate.open();
    assertEquals(List.of(), out, "what waited was dropped");
  }

  @Test
  void aBoundedGateCountsTheSizeOfWhatWaits() {
    List<Integer> out = new ArrayList<>();
    List<String> full = new ArrayList<>();
    FrameGate gate = new FrameGate(100, 1000, () -> full.add("full"));
    gate.send(() -> out.add(1), 600);
    assertEquals(List.of(), full);
    gate.send(() -> out.add(2), 600);
    assertEquals(List.of("full"), full);
  }

  @Test
  void aBoundedGateThatOpenedInTimeSendsEverything() {
    List<Integer> out = new ArrayList<>();
    FrameGate gate = new FrameGate(2, 1000, () -> out.add(-1));
    gate.send(() -> out.add(1), 10);
    gate.open();
    gate.send(() -> out.add(2), 5000);
    gate.send(() -> out.add(3), 5000);
    gate.send(() -> out.add(4), 5000);
    assertEquals(List.of(1, 2, 3, 4), out);
  }
}
