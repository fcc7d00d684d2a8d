package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup of the embedded S3's files (the database's copy is BackupTest's and BackupIT's): whole
 * under its own name, or nothing at all; never begun when it would eat into the disk's reserve.
 */
class EmbeddedBackupTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T09:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dataDir;

  private Config config(String reserve) {
    return ConfigFactory.parseMap(Map.of("parley.data-dir", dataDir.toString(), "parley.dynamodb.embedded", false,
        "parley.s3.embedded", true, "parley.media.disk-reserve", reserve));
  }

  private void objects() throws Exception {
    Files.createDirectories(dataDir.resolve("s3/bucket/media"));
    Files.write(dataDir.resolve("s3/bucket/media/a"), new byte[] {1, 2, 3});
    Files.write(dataDir.resolve("s3/bucket/b"), new byte[] {4});
  }

  @Test
  void aBackupIsWholeUnderItsNameWithNothingPartialLeft() throws Exception {
    objects();
    Path taken = EmbeddedBackup.take(config("0"), CLOCK);
    assertEquals(dataDir.resolve("backups/20261128T090000.000Z"), taken);
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(taken.resolve("s3/bucket/media/a")));
    assertArrayEquals(new byte[] {4}, Files.readAllBytes(taken.resolve("s3/bucket/b")));
    assertEquals(List.of(taken), backups());
  }

  @Test
  void aBackupThatFailsPartWayLeavesNothing() throws Exception {
    objects();
    // An object whose copy fails after others were copied (as a full disk would).
    Files.createSymbolicLink(dataDir.resolve("s3/bucket/zz-gone"), dataDir.resolve("nowhere"));
    IllegalStateException failed = assertThrows(IllegalStateException.class,
        () -> EmbeddedBackup.take(config("0"), CLOCK));
    assertTrue(failed.getMessage().contains("nothing of it was kept"), failed.getMessage());
    assertEquals(List.of(), backups(), "neither a partial copy nor one under a backup's name");
  }

  @Test
  void aBackupThatWouldEatIntoTheReserveIsNotBegun() throws Exception {
    objects();
    long size = 128L * 1024 * 1024;
    Files.write(dataDir.resolve("s3/bucket/media/large"), new byte[(int) size]);
    // Room beside the reserve for half the copy: 64 MiB to spare either way, as the disk is shared
    // with other tests (a reserve of exactly the free space failed when another test freed some).
    long reserve = Files.getFileStore(dataDir).getUsableSpace() - size / 2;
    EmbeddedBackup.NoRoom refused = assertThrows(EmbeddedBackup.NoRoom.class,
        () -> EmbeddedBackup.take(config(String.valueOf(reserve)), CLOCK));
    assertTrue(refused.getMessage().contains("PARLEY_MEDIA_DISK_RESERVE"), refused.getMessage());
    assertEquals(List.of(), backups());
  }

  /** Two at once would each find room for one copy beside the reserve, and together take it. */
  @Test
  void aSecondBackupWhileOneIsTakenIsRefusedAndTheFirstIsWhole() throws Exception {
    objects();
    AtomicReference<RuntimeException> second = new AtomicReference<>();
    Path taken = EmbeddedBackup.take(config("0"), CLOCK, () -> second.set(assertThrows(EmbeddedBackup.InProgress.class,
        () -> EmbeddedBackup.take(config("0"), Clock.offset(CLOCK, Duration.ofSeconds(1))))));
    assertTrue(second.get().getMessage().contains("is being taken"), second.get().getMessage());
    assertEquals(List.of(taken), backups(), "the first, whole; nothing of the second");
    assertArrayEquals(new byte[] {4}, Files.readAllBytes(taken.resolve("s3/bucket/b")));
    Path next = EmbeddedBackup.take(config("0"), Clock.offset(CLOCK, Duration.ofSeconds(2)));
    assertEquals(2, backups().size(), "once the first is done, the next is taken: " + next);
  }

  @Test
  void aPartialBackupLeftByANodeThatStoppedIsDeletedByTheNext() throws Exception {
    objects();
    Path left = dataDir.resolve("backups/20261127T120000.000Z.partial/s3/bucket");
    Files.createDirectories(left);
    Files.write(left.resolve("b"), new byte[1000]);
    Path taken = EmbeddedBackup.take(config("0"), CLOCK);
    assertEquals(List.of(taken), backups(), "the partial copy is gone");
  }

  private List<Path> backups() throws Exception {
    Path dir = dataDir.resolve("backups");
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.toList();
    }
  }
}
