package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reading a redundant device set with devices left out: a degraded kernel mount (the missing loop
 * devices never attached) and a degraded read-only jbtrfs mount (the missing images not given) must
 * both read the expected bytes, rebuilt from the other copies or from parity.
 */
final class DegradedReads {
  private DegradedReads() {}

  /** Which devices to leave out, by index: each one in turn, and every pair if two may be. */
  static List<Set<Integer>> missingSets(int devices, int tolerated) {
    List<Set<Integer>> out = new ArrayList<>();
    for (int i = 0; i < devices; i++) out.add(Set.of(i));
    if (tolerated >= 2) {
      for (int i = 0; i < devices; i++) {
        for (int j = i + 1; j < devices; j++) out.add(Set.of(i, j));
      }
    }
    return out;
  }

  /**
   * Mounts {@code images} without the devices in {@code missing}, by the kernel and by jbtrfs, and
   * asserts each reads {@code want} (relative path to sha256).
   */
  static void assertBothRead(
      List<Path> images, Set<Integer> missing, Path tmp, Map<String, String> want, String what) {
    List<Path> present = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) if (!missing.contains(i)) present.add(images.get(i));
    try (Loop loop = Loop.attach(present);
        KernelMount km = KernelMount.mount(loop.devices(), tmp.resolve("dmnt"), "degraded")) {
      assertEquals(
          want,
          digests(km.path(), want.keySet()),
          what + ": a degraded kernel mount without devices " + missing + " reads other bytes");
    }
    try (FuseMount fm = FuseMount.mount(present, tmp.resolve("jdmnt"), "degraded")) {
      assertEquals(
          want,
          digests(fm.path(), want.keySet()),
          what + ": a degraded jbtrfs mount without devices " + missing + " reads other bytes");
    }
  }

  /** sha256 of each named file under {@code root}, "missing" for one that is not there. */
  static Map<String, String> digests(Path root, Set<String> names) {
    Map<String, String> out = new TreeMap<>();
    for (String n : names) {
      Path p = root.resolve(n);
      out.put(n, Files.exists(p) ? sha256(p) : "missing");
    }
    return out;
  }

  static String sha256(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      java.security.MessageDigest md = EnospcSupport.sha256();
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + p, e);
    }
  }
}
