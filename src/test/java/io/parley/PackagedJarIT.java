package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.ParleyProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar ships the libraries it holds, so it carries their NOTICE and licence files, as
 * their licences ask: merged into one file of each name, not the first found and the rest dropped.
 */
class PackagedJarIT {
  @Test
  void theNoticesAndLicencesOfTheLibrariesItHoldsTravelInTheJar() throws IOException {
    try (JarFile jar = new JarFile(ParleyProcess.jar().toFile())) {
      String notices = text(jar, "META-INF/NOTICE");
      for (String notice : List.of("Apache Pekko", "Jackson JSON processor", "AWS SDK for Java 2.0",
          "Copyright 2010-2014 Amazon.com", "The Netty Project", "Joda.org")) {
        assertTrue(notices.contains(notice), notice + " in the jar's NOTICE:\n" + notices);
      }
      String licences = text(jar, "META-INF/LICENSE.txt");
      int mit = licences.split("Permission is hereby granted", -1).length - 1;
      assertTrue(mit >= 2, "every MIT licence kept, found " + mit + " in:\n" + licences);
    }
  }

  @Test
  void librariesLoggingThroughCommonsLoggingReachSlf4j() throws Exception {
    // The AWS SDK v1 (the journal plugin's) and Apache HttpClient 4 log through commons-logging's
    // API: in the jar it must hand their logs to SLF4J, and so to Parley's logback.
    try (URLClassLoader jar = new URLClassLoader(new URL[] {ParleyProcess.jar().toUri().toURL()},
        ClassLoader.getPlatformClassLoader())) {
      Class<?> logFactory = Class.forName("org.apache.commons.logging.LogFactory", true, jar);
      Object log = logFactory.getMethod("getLog", String.class).invoke(null, "com.amazonaws.probe");
      assertTrue(log.getClass().getName().startsWith("org.apache.commons.logging.impl.SLF4J"),
          "commons-logging in the jar gives " + log.getClass().getName());
      Object factory = logFactory.getMethod("getFactory").invoke(null);
      assertEquals("org.apache.commons.logging.impl.SLF4JLogFactory", factory.getClass().getName(),
          "commons-logging's factory in the jar");
    }
  }

  private static String text(JarFile jar, String name) throws IOException {
    ZipEntry entry = jar.getEntry(name);
    assertNotNull(entry, name + " in " + jar.getName());
    try (InputStream in = jar.getInputStream(entry)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
