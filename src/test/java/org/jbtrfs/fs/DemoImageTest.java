package org.jbtrfs.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.jbtrfs.format.InodeItem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the committed demo image (written by the kernel) through the Java API alone, without root
 * or FUSE, and checks every file against the SHA-256 list the kernel mount produced.
 */
class DemoImageTest {
  @TempDir Path tmp;

  @Test
  void everyFileMatchesWhatTheKernelWrote() throws Exception {
    Path img = tmp.resolve("demo.img");
    Process p =
        new ProcessBuilder("xz", "-d", "-c", "test-images/demo.img.xz")
            .redirectOutput(img.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    assertThat(p.waitFor()).isZero();
    List<String> lines =
        Files.readAllLines(Path.of("test-images/demo.sha256"), StandardCharsets.UTF_8);
    assertThat(lines).hasSizeGreaterThan(50);
    try (Filesystem fs = Filesystem.open(List.of(img), MountOptions.readOnlyDefaults())) {
      Node root = SubvolumeSelector.select(fs, MountOptions.readOnlyDefaults());
      PathResolver paths = new PathResolver(fs, root);
      for (String line : lines) {
        String expected = line.substring(0, 64);
        String path = line.substring(66).replaceFirst("^\\./", "/");
        Node n = paths.resolve(path);
        assertThat(n).as(path).isNotNull();
        assertThat(sha256(n)).as(path).isEqualTo(expected);
      }
    }
  }

  private static String sha256(Node n) throws IOException, java.security.NoSuchAlgorithmException {
    InodeItem inode = n.inode();
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 17];
    for (long pos = 0; pos < inode.size(); ) {
      int got = FileReader.read(n, inode, pos, buf, 0, buf.length);
      md.update(buf, 0, got);
      pos += got;
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
