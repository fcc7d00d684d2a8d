package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HandlerTableTest {
  sealed interface Message {}
  record Plain(String text) implements Message {}
  sealed interface Signal extends Message {}
  record Stop() implements Signal {}
  record Pause() implements Signal {}
  record Unknown() implements Message {}

  record Actor(String name) {}

  private static final HandlerTable<Actor, Integer, Message, String> TABLE =
      HandlerTable.<Actor, Integer, Message, String>builder()
          .on(Plain.class, (actor, state, m) -> actor.name() + " says " + m.text() + " at " + state)
          .on(Stop.class, (actor, state, m) -> actor.name() + " stops")
          .on(Signal.class, (actor, state, m) -> actor.name() + " signalled " + m.getClass().getSimpleName())
          .build();

  @Test
  void eachActorGetsItsOwnCallThroughTheSharedTable() {
    assertEquals("a says hi at 1", TABLE.apply(new Actor("a"), 1, new Plain("hi")));
    assertEquals("b says hi at 2", TABLE.apply(new Actor("b"), 2, new Plain("hi")));
  }

  @Test
  void aMessageGoesToTheFirstHandlerOfATypeItIsAnInstanceOf() {
    assertEquals("a stops", TABLE.apply(new Actor("a"), 0, new Stop()));
    assertEquals("a signalled Pause", TABLE.apply(new Actor("a"), 0, new Pause()));
    // asked again once its handler is remembered
    assertEquals("b stops", TABLE.apply(new Actor("b"), 0, new Stop()));
  }

  @Test
  void whatNoHandlerTakesGoesToTheTableGivenAsOtherwise() {
    HandlerTable<Actor, Integer, Message, String> common = HandlerTable.<Actor, Integer, Message, String>builder()
        .on(Plain.class, (actor, state, m) -> "common " + m.text())
        .on(Message.class, (actor, state, m) -> "common fallback at " + state)
        .build();
    HandlerTable<Actor, Integer, Message, String> own = HandlerTable.<Actor, Integer, Message, String>builder()
        .on(Plain.class, (actor, state, m) -> "own " + m.text())
        .otherwise(common)
        .build();

    assertEquals("own hi", own.apply(new Actor("a"), 1, new Plain("hi")));
    assertEquals("common fallback at 2", own.apply(new Actor("a"), 2, new Unknown()));
  }

  @Test
  void aMessageNoHandlerTakesIsRefused() {
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> TABLE.apply(new Actor("a"), 0, new Unknown()));
    assertEquals("no handler for " + Unknown.class.getName(), refused.getMessage());
  }
}
