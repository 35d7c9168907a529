package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idmapped mounts (mount_setattr MOUNT_ATTR_IDMAP) of a jbtrfs mount behave as those of the
 * kernel's btrfs, on identical fresh images (src/test/resources/idmap/idmap.py, on-disk ids 0-1999
 * shown as 10000-11999): the mount is allowed, owners show mapped, inodes made through it get the
 * unmapped owner on disk (files, directories, symlinks, fifos, in a set-gid directory), reads and
 * writes are allowed or refused by the mapped owner, an unmapped creator or chown target is
 * EOVERFLOW, and ACL entries are mapped both ways. btrfs check of the jbtrfs image is clean.
 */
class IdmappedMountTest {

  /**
   * FUSE_IOCTL carries no idmap (fs/fuse/ioctl.c sends it without one), so a subvolume made by
   * ioctl through an idmapped mount is decided for the caller's own, unmapped id: 10000 may not
   * write a directory that is 0 on disk.
   */
  private static final Map<String, List<String>> FUSE_LIMITS =
      Map.of(
          "subvolume create as 10000 via idmapped", List.of("EACCES"),
          "owner of sv via the idmapped mount", List.of("ENOENT"),
          "owner of sv via the original mount", List.of("ENOENT"));

  @TempDir Path tmp;

  @Test
  void idmappedMountsAsInTheKernel() throws Exception {
    Environment.requireOracleHost();
    Path script = ScriptAgreement.script("/idmap/idmap.py");
    ScriptAgreement.Images fresh = ScriptAgreement.freshImages(tmp);
    Path kernelImg = fresh.kernel();
    Path fuseImg = fresh.jbtrfs();
    List<String> kernel;
    try (Loop loop = Loop.attach(List.of(kernelImg));
        KernelMount m = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
      kernel = run(script, m.path(), tmp.resolve("kmapped"));
    }
    List<String> jbtrfs;
    try (FuseMount m = FuseMount.mountReadWrite(List.of(fuseImg), tmp.resolve("jmnt"), "")) {
      jbtrfs = run(script, m.path(), tmp.resolve("jmapped"));
    }
    ScriptAgreement.compare("/idmap/idmap.py", kernel, jbtrfs, FUSE_LIMITS);
    BtrfsCheck.assertClean(fuseImg, "after the idmapped mount scenarios");
  }

  /** Runs the script; the idmapped mount it makes is gone afterwards, whatever happened. */
  private static List<String> run(Path script, Path base, Path target) {
    try {
      Cmd.Result r =
          Cmd.run(
              List.of("python3", script.toString(), base.toString(), target.toString()), null, 300);
      if (r.exitCode() != 0) {
        throw new AssertionError("idmap.py failed on " + base + "\n" + r.out() + r.stderr());
      }
      return List.of(r.out().strip().split("\n"));
    } finally {
      if (Mounts.isMountPoint(target)) Cmd.run(List.of("umount", "-l", target.toString()));
    }
  }
}
