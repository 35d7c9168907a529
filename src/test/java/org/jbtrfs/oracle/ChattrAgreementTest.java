package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inode flags through chattr, lsattr and the raw ioctls behave on a jbtrfs mount as on the kernel's
 * btrfs (src/test/resources/chattr/chattr_scenarios.py: every flag btrfs has, refused flags and
 * combinations, NOCOW only on empty files, +c and the btrfs.compression property, inheritance, and
 * what +i and +a refuse, as root and as the owner). Then the kernel mounts both images and lists
 * every inode's flags: what jbtrfs stored is what the kernel stored.
 */
class ChattrAgreementTest {
  @TempDir Path tmp;

  @Test
  void inodeFlagsAsInTheKernel() throws Exception {
    ScriptAgreement.Images images =
        ScriptAgreement.check(tmp, "/chattr/chattr_scenarios.py", Map.of(), "");
    assertEquals(flagsSeenByKernel(images.kernel()), flagsSeenByKernel(images.jbtrfs()));
    for (Path img : List.of(images.kernel(), images.jbtrfs())) {
      // The lzo property compressed the data written under it, and the superblock says lzo.
      String sup =
          Cmd.run(List.of("btrfs", "inspect-internal", "dump-super", img.toString())).check().out();
      assertThat(sup).as(img + " incompat flags").contains("COMPRESS_LZO");
      String fs =
          Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "fs", img.toString()))
              .check()
              .out();
      long data = DumpText.inodeOf(fs, DumpText.inodeOf(fs, 256, "plzo"), "data");
      assertThat(fs)
          .as(img + ": plzo/data in lzo extents")
          .containsPattern(
              "key \\("
                  + data
                  + " EXTENT_DATA \\d+\\)[^\\n"
                  + "]*\\n"
                  + "(?:[^\\n"
                  + "]*\\n"
                  + "){3}\\s+extent compression 2 \\(lzo\\)");
    }
  }

  private String flagsSeenByKernel(Path image) throws Exception {
    try (Loop loop = Loop.attach(List.of(image));
        KernelMount m = KernelMount.mount(loop.devices(), tmp.resolve("reread"), "")) {
      Cmd.Result r = Cmd.run(List.of("lsattr", "-R", "-a", "."), m.path(), 60);
      assertEquals(0, r.exitCode(), r.stderr());
      return r.out();
    }
  }
}
