package io.parley.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

/** A node's places, at most so many per key; a refusal holds nothing and a place goes back once. */
class PlacesTest {
  @Test
  void aKeyHoldsAtMostItsOwnAndTheNodeAtMostItsTotal() {
    Places<String> places = new Places<>(3, 2);
    Places.Held first = assertInstanceOf(Places.Held.class, places.take("alice"));
    assertInstanceOf(Places.Held.class, places.take("alice"));
    assertInstanceOf(Places.KeyFull.class, places.take("alice"));
    assertInstanceOf(Places.Held.class, places.take("bob"), "another key is not held up by alice's");
    assertInstanceOf(Places.AllFull.class, places.take("carol"));
    assertEquals(3, places.held(), "the refusals hold nothing");

    first.giveBack().run();
    first.giveBack().run();
    assertEquals(2, places.held(), "given back once");
    assertInstanceOf(Places.Held.class, places.take("carol"), "her refusal above held nothing of hers");
    assertInstanceOf(Places.AllFull.class, places.take("dave"));
  }
}
