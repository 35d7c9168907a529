package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File handles (name_to_handle_at, open_by_handle_at: what an NFS server exports) on a jbtrfs mount
 * as on the kernel's btrfs, on identical fresh images (src/test/resources/handles/handles.py):
 * handles of files, directories, a symlink, a subvolume and the root open while the kernel caches
 * the inodes and after drop_caches made it forget them (FUSE then asks us LOOKUP "." by node id,
 * and ".." to reconnect a directory to the root: the opened directory's path shows it), after
 * renames, after one and both names of a file went, for a removed directory and an unlinked file
 * still open. Then each filesystem is mounted again: old handles still open, those of deleted files
 * are stale even where a new file got the deleted number (the inode generation tells them apart).
 * btrfs check of the jbtrfs image is clean.
 */
class FileHandleAgreementTest {
  private static final long IMAGE_BYTES = 1L << 30;

  @TempDir Path tmp;

  @Test
  void fileHandlesAsInTheKernel() throws Exception {
    Environment.requireOracleHost();
    Path script = ScriptAgreement.script("/handles/handles.py");
    Path kernelImg = tmp.resolve("kernel.img");
    Path fuseImg = tmp.resolve("jbtrfs.img");
    for (Path img : List.of(kernelImg, fuseImg)) {
      Loop.createSparse(img, IMAGE_BYTES);
      Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString())).check();
    }
    List<String> kernel = new ArrayList<>();
    try (Loop loop = Loop.attach(List.of(kernelImg))) {
      for (String phase : List.of("first", "second")) {
        try (KernelMount m = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
          kernel.addAll(run(script, phase, m.path(), tmp.resolve("kernel.state")));
        }
      }
    }
    List<String> jbtrfs = new ArrayList<>();
    for (String phase : List.of("first", "second")) {
      try (FuseMount m = FuseMount.mountReadWrite(List.of(fuseImg), tmp.resolve("jmnt"), "")) {
        jbtrfs.addAll(run(script, phase, m.path(), tmp.resolve("jbtrfs.state")));
      }
    }
    ScriptAgreement.compare("/handles/handles.py", kernel, jbtrfs, Map.of());
    BtrfsCheck.assertClean(fuseImg, "after the file handle scenarios");
  }

  private static List<String> run(Path script, String phase, Path mnt, Path state) {
    Cmd.Result r =
        Cmd.run(
            List.of("python3", script.toString(), phase, mnt.toString(), state.toString()),
            null,
            300);
    if (r.exitCode() != 0) {
      throw new AssertionError(
          "handles.py " + phase + " failed on " + mnt + "\n" + r.out() + r.stderr());
    }
    return List.of(r.out().strip().split("\n"));
  }
}
