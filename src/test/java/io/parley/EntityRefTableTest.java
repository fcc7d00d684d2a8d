package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.Test;

class EntityRefTableTest {
  private static final EntityTypeKey<String> TYPE = EntityTypeKey.create(String.class, "Thing");
  private final List<String> made = new ArrayList<>();
  private final EntityRefTable<String> refs = new EntityRefTable<>(id -> {
    made.add(id);
    return TestEntityRef.of(TYPE, id, null);
  });

  @Test
  void aRefIsMadeOnceAndGivenAgain() {
    EntityRef<String> first = refs.ref("u-1");
    assertSame(first, refs.ref("u-1"));
    assertEquals(List.of("u-1"), made);
  }

  @Test
  void idsSharingASlotEachGetTheirOwnRef() {
    String one = "u-0";
    String other = one;
    for (int i = 1; EntityRefTable.slot(other) != EntityRefTable.slot(one) || other.equals(one); i++) {
      other = "u-" + i;
    }
    assertNotEquals(one, other);

    assertEquals(one, refs.ref(one).getEntityId());
    assertEquals(other, refs.ref(other).getEntityId());
    assertEquals(one, refs.ref(one).getEntityId(), "made again: the slot held the other id's ref");
    assertEquals(List.of(one, other, one), made);
  }
}
