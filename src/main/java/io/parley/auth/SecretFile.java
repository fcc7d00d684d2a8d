package io.parley.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The HS256 secret of a node whose configuration names none: random, made at the first start and
 * kept in the data dir, so that tokens survive a restart but nobody else knows the key.
 */
public final class SecretFile {
  static final String NAME = "jwt-secret";

  private SecretFile() {}

  /** The secret kept in {@code dataDir}, created there first if there is none. */
  public static String readOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(NAME);
    if (!Files.exists(file)) {
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      Path partial = Files.createTempFile(dataDir, NAME, ".new");
      setOwnerOnly(partial);
      Files.writeString(partial, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n");
      try {
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException another) {
        Files.deleteIfExists(partial);
      }
    }
    String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new IOException(file + " holds a secret of under 32 bytes: delete it to have a new one made");
    }
    return secret;
  }

  private static void setOwnerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // A file system without POSIX permissions keeps the data dir's own access rules.
    }
  }
}
