package io.parley.storage;

/**
 * {@link LowMarkReadsIT} on a journal with one key per sequence-number mark, as on a table Parley
 * created ({@link JournalLayout}): the low mark of shard 1 (a deletion up to 99) is then in shard
 * 0, and the highest sequence numbers found are the same.
 */
class LowMarkReadsOneShardIT extends LowMarkReadsIT {
  @Override
  int shards() {
    return 1;
  }
}
