package io.parley.storage;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.WriteRequest;
import java.util.List;
import java.util.Map;

/**
 * What a recovering entity's journal reads found, kept to answer its next reads
 * ({@link RecoveryReads}, {@link LowMarkReads}): a write or delete of any journal item of the
 * entity through the same client ends it.
 */
interface KeptJournalReads {
  /** A write or delete of one item of {@code table}, {@code key} its key (or the whole item). */
  void writing(String table, Map<String, AttributeValue> key);

  /** The writes and deletes of one request, by table. */
  default void writing(Map<String, List<WriteRequest>> writes) {
    writes.forEach((table, requests) -> requests.forEach(write -> writing(table,
        write.getPutRequest() != null ? write.getPutRequest().getItem() : write.getDeleteRequest().getKey())));
  }
}
