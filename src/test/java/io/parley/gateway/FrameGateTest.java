package io.parley.gateway;

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
}
