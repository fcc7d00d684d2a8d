package io.parley.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Outcome;
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

  @Test
  void aRefusalSaysWhichLimitInTheWordsOfWhatThePlacesHold() {
    Places<String> places = new Places<>(2, 1);
    var first = places.takeOrRefuse("alice", "uploads");
    assertTrue(first.isOk());
    var keyFull = places.takeOrRefuse("alice", "uploads");
    assertEquals(Outcome.Reason.UNAVAILABLE, keyFull.reason());
    assertEquals("you have 1 uploads in progress on this node; finish one first", keyFull.message());
    assertTrue(places.takeOrRefuse("bob", "uploads").isOk());
    var allFull = places.takeOrRefuse("carol", "uploads");
    assertEquals("too many uploads in progress; retry later", allFull.message());
    first.value().run();
    assertTrue(places.takeOrRefuse("carol", "uploads").isOk(), "alice's place given back");
  }
}
