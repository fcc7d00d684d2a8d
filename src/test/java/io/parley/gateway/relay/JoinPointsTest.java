package io.parley.gateway.relay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.conversation.LiveEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JoinPointsTest {
  private final RelayMemberChecks checks = new RelayMemberChecks();
  private final JoinPoints joinPoints = new JoinPoints();

  /**
   * A member only ever joins later than before (one added again joins after the newest seq then),
   * so an answer to a check asked before erin was added again, coming after the join, must not
   * move her join point back: a deletion between the two was relayed to her.
   */
  @Test
  void anAnswerAskedBeforeARejoinDoesNotMoveTheJoinPointBack() {
    checks.subscribed("g", "erin");
    long asked = checks.checks("g", List.of("erin"), null).get(0).asked();
    joinPoints.joined("g", "erin", 7); // added again after seq 7, heard before the answer
    joinPoints.answered(new LiveEvent.NotMembers("g", List.of(), asked, Map.of("erin", 3L)), checks);
    assertFalse(joinPoints.hadMessage("g", "erin", 5), "seq 5 came before erin's second join");
    assertTrue(joinPoints.hadMessage("g", "erin", 8));
    joinPoints.joined("g", "erin", 0); // a join told with no seq says nothing newer
    assertFalse(joinPoints.hadMessage("g", "erin", 5));
  }
}
