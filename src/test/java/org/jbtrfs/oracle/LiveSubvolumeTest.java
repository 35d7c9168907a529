package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `jbtrfs subvolume create` and `snapshot` on a live mount: the kernel's BTRFS_IOC_SUBVOL_CREATE_V2
 * and SNAP_CREATE_V2 on the destination directory, answered by the jbtrfs daemon, and the same
 * ioctls from the same command on a kernel btrfs mount in the same run. Every step's outcome (errno
 * included: an existing name, a source that is not a subvolume or is on another filesystem, a
 * read-only snapshot refusing a write) must be the kernel's; a snapshot taken right after writes
 * that were never synced holds them (the daemon commits first, as the kernel's snapshot does);
 * writes after it stay out of it. Then btrfs check, and a kernel mount of the jbtrfs image shows
 * the same subvolumes, relations and contents as the kernel's own.
 */
class LiveSubvolumeTest {
  @TempDir Path tmp;

  @Test
  void subvolumeIoctlsOnAMountAnswerAsTheKernels() throws Exception {
    Environment.requireOracleHost();
    Path kimg = ImageFiles.mkfs(tmp, "k", 512L << 20);
    Path jimg = ImageFiles.mkfs(tmp, "j", 512L << 20);
    // A subvolume of another btrfs: a snapshot source there is on the wrong filesystem (EXDEV).
    Path oimg = ImageFiles.mkfs(tmp, "other", 256L << 20);
    List<String> kernel;
    List<String> kernelRelations;
    List<String> jbtrfs;
    try (Loop otherLoop = Loop.attach(List.of(oimg));
        KernelMount other = KernelMount.mountReadWrite(otherLoop.devices(), tmp.resolve("omnt"))) {
      try (Loop loop = Loop.attach(List.of(kimg));
          KernelMount k = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
        kernel = steps(k.path(), other.path());
        kernelRelations = SubvolumeRelations.of(k.path());
      }
      try (RwFuseMount m =
          RwFuseMount.mount(jimg, Files.createDirectories(tmp.resolve("jmnt")), "")) {
        jbtrfs = steps(m.path(), other.path());
      }
    }
    System.out.println("LiveSubvolumeTest, kernel outcomes:\n" + String.join("\n", kernel));
    assertEquals(kernel, jbtrfs, "the same steps on a kernel mount and on a jbtrfs mount");
    BtrfsCheck.assertClean(jimg, "after subvolume ioctls on a live mount");
    try (Loop loop = Loop.attach(List.of(jimg));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("kmnt"), "")) {
      assertEquals(kernelRelations, SubvolumeRelations.of(k.path()));
      assertEquals(contents(k.path()), kernel.get(kernel.size() - 1));
    }
  }

  /**
   * The kernel's ENOSPC lesson for snapshots: on a filesystem filled to ENOSPC, snapshots and their
   * deletion either succeed or fail with ENOSPC, and the mount stays writable (no aborted
   * transaction, no read-only turn); btrfs check is clean after.
   */
  @Test
  void snapshotsOfAFullFilesystemSucceedOrSayEnospc() throws Exception {
    Environment.requireOracleHost();
    Path img = ImageFiles.mkfs(tmp, "full", 256L << 20);
    int made = 0;
    int refused = 0;
    try (RwFuseMount m = RwFuseMount.mount(img, Files.createDirectories(tmp.resolve("fmnt")), "")) {
      Path mnt = m.path();
      cli("subvolume", "create", mnt + "/sv");
      byte[] mib = new byte[1 << 20];
      new java.util.Random(5).nextBytes(mib);
      fill(mnt.resolve("sv"), "big", mib);
      fill(mnt.resolve("sv"), "small", new byte[3000]);
      for (int i = 0; i < 30; i++) {
        String to = mnt + "/s" + i;
        String outcome = outcome(() -> cli("subvolume", "snapshot", mnt + "/sv", to));
        if (outcome.equals("ok")) made++;
        else if (outcome.contains("no space left")) refused++;
        else throw new AssertionError("snapshot " + i + " on a full filesystem: " + outcome);
      }
      for (int i = 0; i < 30; i += 2) {
        String victim = mnt + "/s" + i;
        String outcome = outcome(() -> cli("subvolume", "delete", victim));
        if (!outcome.equals("ok")
            && !outcome.contains("no space left")
            && !outcome.contains("cannot access")) {
          throw new AssertionError("deleting snapshot " + i + ": " + outcome);
        }
      }
      // Still writable: with the rest of the snapshots and the big files gone, data fits again.
      for (int i = 1; i < 30; i += 2) {
        if (Files.exists(mnt.resolve("s" + i))) cli("subvolume", "delete", mnt + "/s" + i);
      }
      try (var big = Files.list(mnt.resolve("sv"))) {
        for (Path f : big.filter(f -> f.getFileName().toString().startsWith("big")).toList()) {
          Files.delete(f);
        }
      }
      Files.write(mnt.resolve("sv/after"), mib);
    }
    System.out.println("full filesystem: " + made + " snapshots made, " + refused + " ENOSPC");
    assertEquals(30, made + refused);
    BtrfsCheck.assertClean(img, "after snapshots of a full filesystem");
  }

  /** Writes files NAME0, NAME1, ... of {@code block} until the filesystem says ENOSPC. */
  private static void fill(Path dir, String name, byte[] block) {
    for (int i = 0; ; i++) {
      try {
        Files.write(dir.resolve(name + i), block);
      } catch (IOException e) {
        if (String.valueOf(e.getMessage()).contains("No space left")) return;
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private static String outcome(Step s) {
    List<String> out = new ArrayList<>();
    step(out, "x", s);
    return out.get(0).substring(3);
  }

  /** The scenario; each step's outcome, and finally a listing of every file with its bytes. */
  private static List<String> steps(Path m, Path elsewhere) throws IOException {
    List<String> out = new ArrayList<>();
    step(out, "create sv", () -> cli("subvolume", "create", m + "/sv"));
    step(out, "write", () -> write(m.resolve("sv/a"), "before the snapshot\n"));
    Files.createDirectories(m.resolve("d"));
    // Never synced: the snapshot must still hold "a".
    step(out, "snapshot", () -> cli("subvolume", "snapshot", m + "/sv", m + "/d/snap"));
    step(out, "write after", () -> write(m.resolve("sv/b"), "after the snapshot\n"));
    step(out, "ro snapshot", () -> cli("subvolume", "snapshot", "-r", m + "/sv", m + "/ro"));
    step(out, "write into ro", () -> write(m.resolve("ro/c"), "refused\n"));
    step(out, "into a dir", () -> cli("subvolume", "snapshot", m + "/d/snap", m + "/d"));
    step(out, "exists", () -> cli("subvolume", "snapshot", m + "/sv", m + "/d/snap"));
    step(out, "create exists", () -> cli("subvolume", "create", m + "/d"));
    step(out, "not a subvolume", () -> cli("subvolume", "snapshot", m + "/d", m + "/dsnap"));
    step(out, "other fs", () -> cli("subvolume", "snapshot", elsewhere.toString(), m + "/x"));
    step(out, "nested", () -> cli("subvolume", "create", m + "/sv/inner"));
    step(out, "snapshot nested", () -> cli("subvolume", "snapshot", m + "/sv", m + "/sv2"));
    step(out, "write in snapshot", () -> write(m.resolve("d/snap/a"), "changed in the snap\n"));
    step(out, "rmdir full subvolume", () -> Files.delete(m.resolve("sv2")));
    step(out, "rmdir placeholder", () -> Files.delete(m.resolve("sv2/inner")));
    step(out, "create empty", () -> cli("subvolume", "create", m + "/d/empty"));
    step(out, "rmdir empty subvolume", () -> Files.delete(m.resolve("d/empty")));
    step(out, "delete holding one", () -> cli("subvolume", "delete", m + "/d/snap"));
    step(out, "delete ro", () -> cli("subvolume", "delete", m + "/ro"));
    step(out, "delete not subvolume", () -> cli("subvolume", "delete", m + "/d"));
    step(out, "delete nested", () -> cli("subvolume", "delete", m + "/d/snap/sv"));
    step(out, "create again", () -> cli("subvolume", "create", m + "/again"));
    step(out, "write again", () -> write(m.resolve("again/x"), "new subvolume\n"));
    step(out, "rename subvolume", () -> Files.move(m.resolve("again"), m.resolve("d/again2")));
    step(out, "move into another", () -> Files.move(m.resolve("d/again2"), m.resolve("sv/a3")));
    step(out, "moved content", () -> Files.readString(m.resolve("sv/a3/x")));
    step(out, "move onto a file", () -> Files.move(m.resolve("sv/a3"), m.resolve("sv/a")));
    Files.createDirectories(m.resolve("emptydir"));
    Files.createDirectories(m.resolve("fulldir/x"));
    step(out, "move onto a full dir", () -> rename(m.resolve("sv/a3"), m.resolve("fulldir")));
    step(out, "move onto a subvolume", () -> rename(m.resolve("sv/a3"), m.resolve("sv/inner")));
    step(out, "move onto an empty dir", () -> rename(m.resolve("sv/a3"), m.resolve("emptydir")));
    step(out, "moved over it", () -> Files.readString(m.resolve("emptydir/x")));
    // A file open in a subvolume lives on after the subvolume is deleted, until closed.
    step(out, "create busy", () -> cli("subvolume", "create", m + "/busy"));
    step(out, "write busy", () -> write(m.resolve("busy/f"), "open while deleted\n"));
    try (java.nio.channels.FileChannel open =
        java.nio.channels.FileChannel.open(
            m.resolve("busy/f"),
            java.nio.file.StandardOpenOption.READ,
            java.nio.file.StandardOpenOption.WRITE)) {
      step(out, "delete with an open file", () -> cli("subvolume", "delete", m + "/busy"));
      step(
          out,
          "gone from the namespace",
          () -> out.add("exists " + Files.exists(m.resolve("busy"))));
      step(out, "read the open file", () -> out.add("read " + readAll(open)));
      step(
          out,
          "write the open file",
          () -> open.write(java.nio.ByteBuffer.wrap("more\n".getBytes()), 19));
      step(out, "read it again", () -> out.add("read " + readAll(open)));
      step(out, "snapshot of it", () -> cli("subvolume", "snapshot", m + "/busy", m + "/busysnap"));
    }
    step(out, "sync after close", () -> cli("subvolume", "sync", m.toString()));
    out.add(contents(m));
    return out;
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void step(List<String> out, String name, Step s) {
    try {
      s.run();
      out.add(name + ": ok");
    } catch (java.nio.file.FileSystemException e) {
      out.add(name + ": " + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()));
    } catch (Exception e) {
      // The reason without the paths, which differ between the two mounts.
      String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      out.add(name + ": " + why.substring(why.lastIndexOf(": ") + 2).replaceAll("/\\S*", "PATH"));
    }
  }

  private static void cli(String... args) {
    JbtrfsCli.run(args);
  }

  /** rename(2) itself, replacing what is there (Files.move would refuse a non-empty target). */
  private static void rename(Path from, Path to) throws IOException {
    String py =
        "import errno, os, sys\n"
            + "try:\n    os.rename(sys.argv[1], sys.argv[2])\n"
            + "except OSError as e:\n    print(errno.errorcode[e.errno]); sys.exit(1)";
    Cmd.Result r = Cmd.run(List.of("python3", "-c", py, from.toString(), to.toString()));
    if (r.exitCode() != 0) throw new IOException("rename: " + r.out().trim());
  }

  private static String readAll(java.nio.channels.FileChannel ch) throws IOException {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(256);
    int n = ch.read(b, 0);
    return new String(b.array(), 0, Math.max(n, 0)).trim().replace('\n', '|');
  }

  private static void write(Path p, String text) throws IOException {
    Files.writeString(p, text);
  }

  /** Every path under the mount with its bytes, in order; the placeholder shows as empty. */
  private static String contents(Path m) throws IOException {
    StringBuilder b = new StringBuilder();
    try (var walk = Files.walk(m)) {
      for (Path p : walk.sorted().toList()) {
        b.append(m.relativize(p));
        if (Files.isRegularFile(p)) b.append(" = ").append(Files.readString(p).trim());
        b.append('\n');
      }
    }
    return b.toString();
  }
}
