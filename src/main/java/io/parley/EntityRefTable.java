package io.parley;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Entity refs of one type made lately, one per slot chosen by the entity id's hash: making a ref
 * URL-encodes its type and id, and every message to a user or a conversation asks for one. A ref
 * is immutable and may be shared between threads; a slot's newer ref replaces the older.
 */
final class EntityRefTable<M> {
  static final int SLOTS = 4096;

  private final AtomicReferenceArray<EntityRef<M>> slots = new AtomicReferenceArray<>(SLOTS);
  private final Function<String, EntityRef<M>> make;

  EntityRefTable(Function<String, EntityRef<M>> make) {
    this.make = make;
  }

  EntityRef<M> ref(String entityId) {
    int slot = slot(entityId);
    EntityRef<M> ref = slots.get(slot);
    if (ref == null || !ref.getEntityId().equals(entityId)) {
      ref = make.apply(entityId);
      slots.lazySet(slot, ref);
    }
    return ref;
  }

  static int slot(String entityId) {
    int hash = entityId.hashCode();
    return (hash ^ (hash >>> 16)) & (SLOTS - 1);
  }
}
