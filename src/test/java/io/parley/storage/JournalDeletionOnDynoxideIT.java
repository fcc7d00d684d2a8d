package io.parley.storage;

import io.parley.testing.Dynoxide;
import java.nio.file.Path;

/** {@link JournalDeletionIT} against dynoxide, an implementation of DynamoDB independent of Parley's. */
class JournalDeletionOnDynoxideIT extends JournalDeletionIT {
  @Override
  String startStore(Path dir) {
    Dynoxide dynoxide = Dynoxide.start();
    store = dynoxide;
    return dynoxide.endpoint();
  }
}
