package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answers to adding and removing members name each user once, in the order they were asked for. */
class MemberChangeAnswersTest {
  @Test
  void anIdAskedForTwiceIsAnsweredOnce() {
    JsonNode added = WireFormat.membersAdded("r1", "g.1", List.of("bob", "carol", "bob", "dave", "carol"), List.of("dave"));
    assertEquals(List.of("bob", "carol"), strings(added.get("added")));
    assertEquals(List.of("dave"), strings(added.get("invited")));
    assertEquals(List.of("bob", "carol"), strings(WireFormat.membersRemoved("g.1", List.of("bob", "carol", "bob"))
        .get("removed")));
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new java.util.ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }
}
