package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When umount returns, everything written is on the image: 20 rounds of writing files, a plain
 * {@code umount}, and a copy of the image taken the moment it returns (no sleep, no waiting for the
 * daemon). Every copy must hold every file written so far, byte for byte, pass btrfs check, and
 * read back the same through a kernel loop mount.
 */
class UnmountDurabilityTest {
  private static final int ROUNDS = 20;

  @TempDir Path tmp;

  @Test
  void everyWriteIsOnTheImageWhenUmountReturns() throws Exception {
    Environment.requireOracleHost();
    Path img = tmp.resolve("img");
    Loop.createSparse(img, 512L << 20);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString())).check();
    Map<String, byte[]> digests = new LinkedHashMap<>();
    Random rnd = new Random(11);
    Path mnt = tmp.resolve("mnt");
    for (int round = 0; round < ROUNDS; round++) {
      try (FuseMount m = FuseMount.mountReadWrite(List.of(img), mnt, "")) {
        // One large file (up to 6 MiB, more than any buffer), a few small ones, one rewrite.
        String big = "big-" + round;
        byte[] data = new byte[(1 << 20) + rnd.nextInt(5 << 20)];
        rnd.nextBytes(data);
        Files.write(m.path().resolve(big), data);
        digests.put(big, sha(data));
        for (int i = 0; i < 3; i++) {
          byte[] small = new byte[1 + rnd.nextInt(3000)];
          rnd.nextBytes(small);
          String name = "small-" + round + "-" + i;
          Files.write(m.path().resolve(name), small);
          digests.put(name, sha(small));
        }
        if (round > 0) {
          byte[] again = new byte[4096 + rnd.nextInt(1 << 16)];
          rnd.nextBytes(again);
          Files.write(m.path().resolve("big-0"), again);
          digests.put("big-0", sha(again));
        }
        Cmd.Result u = Cmd.run(List.of("umount", m.path().toString()), null, 120);
        // The copy must come at once: this is what umount && cp (or a shutdown) does.
        Path copy = tmp.resolve("copy");
        Cmd.run(List.of("cp", "--sparse=always", img.toString(), copy.toString())).check();
        assertEquals(0, u.exitCode(), "umount: " + u.stderr());
        BtrfsCheck.assertClean(copy, "copy taken when umount returned, round " + round);
        try (Loop loop = Loop.attach(List.of(copy));
            KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("kmnt"), "")) {
          for (Map.Entry<String, byte[]> e : digests.entrySet()) {
            Path f = k.path().resolve(e.getKey());
            assertTrue(Files.exists(f), "round " + round + ": " + e.getKey() + " missing");
            assertArrayEquals(
                e.getValue(),
                sha(Files.readAllBytes(f)),
                "round " + round + ": " + e.getKey() + " differs");
          }
        }
        Files.delete(copy);
      }
    }
    System.out.println(
        "UnmountDurabilityTest: " + ROUNDS + " rounds, " + digests.size() + " files intact");
  }

  private static byte[] sha(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }
}
