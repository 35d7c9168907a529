package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `jbtrfs subvolume create` and `snapshot` on an image the kernel filled: a new subvolume in a
 * directory, a snapshot of a subvolume holding a nested one (which the snapshot shows as an empty
 * placeholder, as the kernel's does), a read-only snapshot of the top level, a snapshot of a
 * snapshot. Judged by btrfs check after every step, a kernel mount (subvolume list with parent
 * uuids, read-only flags, contents, the new subvolume's top directory), the kernel writing into
 * what jbtrfs made, jbtrfs and the kernel each deleting snapshots, btrfs check clean after each.
 * Refused requests (existing name, too long a name, not a subvolume, inside a read-only snapshot,
 * deleting the top level or a subvolume holding another) fail with the kernel's reason and leave
 * the image untouched.
 */
class SubvolumeCreateTest {
  @TempDir Path tmp;

  @Test
  void subvolumesAndSnapshotsMadeByJbtrfsAreTheKernels() throws Exception {
    Environment.requireOracleHost();
    Path img = ImageFiles.mkfs(tmp, "img", 512L << 20);
    Path kmnt = tmp.resolve("kmnt");
    try {
      try (Loop loop = Loop.attach(List.of(img));
          KernelMount k = KernelMount.mountReadWrite(loop.devices(), kmnt)) {
        Files.createDirectories(k.path().resolve("d"));
        Files.writeString(k.path().resolve("d/f"), "top file\n");
        sh("btrfs", "subvolume", "create", k.path() + "/sv");
        for (int i = 0; i < 400; i++) { // a few leaves: the snapshot copies a node, not a leaf
          Files.writeString(k.path().resolve("sv/file" + i), "content " + i + "\n".repeat(i));
        }
        ImageFiles.randomFile(k.path().resolve("sv/big"), 3 << 20, 7);
        sh("btrfs", "subvolume", "create", k.path() + "/sv/inner");
        Files.writeString(k.path().resolve("sv/inner/g"), "nested\n");
      }
      BtrfsCheck.assertClean(img, "as the kernel left it");

      jbtrfs(img, "subvolume", "create", "d/new");
      BtrfsCheck.assertClean(img, "after subvolume create");
      jbtrfs(img, "subvolume", "snapshot", "sv", "d/snap");
      BtrfsCheck.assertClean(img, "after a snapshot of sv");
      jbtrfs(img, "subvolume", "snapshot", "-r", "/", "topsnap");
      BtrfsCheck.assertClean(img, "after a read-only snapshot of the top level");
      // Into an existing directory: the snapshot keeps the source's name (d/snap/snap).
      jbtrfs(img, "subvolume", "snapshot", "d/snap", "d/snap");
      BtrfsCheck.assertClean(img, "after a snapshot into an existing directory");
      jbtrfs(img, "subvolume", "snapshot", "d/snap", "snapofsnap");
      BtrfsCheck.assertClean(img, "after a snapshot of a snapshot");
      // Read-only snapshot of a subvolume jbtrfs made: the kernel honours its flag only if the
      // root item carries ROOT_ITEM_INIT.
      jbtrfs(img, "subvolume", "snapshot", "-r", "d/new", "newro");

      refusedWithoutChange(img, "exists", "subvolume", "snapshot", "sv", "d/f");
      refusedWithoutChange(img, "longer than 255", "subvolume", "create", "x".repeat(256));
      refusedWithoutChange(img, "not a subvolume", "subvolume", "snapshot", "d", "dsnap");
      refusedWithoutChange(img, "read-only", "subvolume", "create", "topsnap/x");
      refusedWithoutChange(img, "holds subvolume", "subvolume", "delete", "sv");
      refusedWithoutChange(img, "top-level", "subvolume", "delete", "/");
      refusedWithoutChange(img, "not a subvolume", "subvolume", "delete", "d");

      try (Loop loop = Loop.attach(List.of(img));
          KernelMount k = KernelMount.mount(loop.devices(), kmnt, "")) {
        Path m = k.path();
        assertEquals(
            List.of(
                "sv parent 5 from - ro=false",
                "sv/inner parent 256 from - ro=false",
                "d/new parent 5 from - ro=false",
                "d/snap parent 5 from sv ro=false",
                "topsnap parent 5 from <top> ro=true",
                "d/snap/snap parent 259 from d/snap ro=false",
                "snapofsnap parent 5 from d/snap ro=false",
                "newro parent 5 from d/new ro=true"),
            SubvolumeRelations.of(m));
        assertSameFiles(m.resolve("sv"), m.resolve("d/snap"), "inner", "snap");
        assertSameFiles(m.resolve("sv"), m.resolve("snapofsnap"), "inner", "snap");
        assertEquals(List.of(), listing(m.resolve("d/snap/inner")), "the nested placeholder");
        assertEquals("top file\n", Files.readString(m.resolve("topsnap/d/f")));
        assertEquals(List.of(), listing(m.resolve("topsnap/sv")), "sv in the top snapshot");
        assertEquals(List.of(), listing(m.resolve("d/new")));
        assertEquals(
            "755 directory 0 0 1",
            Cmd.run(List.of("stat", "-c", "%a %F %u %g %h", m + "/d/new")).check().out().trim());
        assertEquals("258", rootId(m.resolve("d/new")));
      }

      // The kernel writes into what jbtrfs made (so the snapshot d/snap/snap gets leaves and data
      // of its own), jbtrfs deletes two snapshots, the kernel another.
      try (Loop loop = Loop.attach(List.of(img));
          KernelMount k = KernelMount.mountReadWrite(loop.devices(), kmnt)) {
        Path m = k.path();
        Files.writeString(m.resolve("d/new/written"), "by the kernel\n");
        Files.writeString(m.resolve("d/snap/file3"), "changed in the snapshot\n");
        ImageFiles.randomFile(m.resolve("sv/big"), 1 << 20, 8);
        ImageFiles.randomFile(m.resolve("d/snap/snap/extra"), 2 << 20, 9);
        for (int i = 0; i < 400; i += 3) Files.delete(m.resolve("d/snap/snap/file" + i));
      }
      BtrfsCheck.assertClean(img, "after the kernel wrote into jbtrfs's subvolumes");
      jbtrfs(img, "subvolume", "delete", "topsnap", "d/snap/snap");
      BtrfsCheck.assertClean(img, "after jbtrfs deleted two snapshots");
      try (Loop loop = Loop.attach(List.of(img));
          KernelMount k = KernelMount.mountReadWrite(loop.devices(), kmnt)) {
        Path m = k.path();
        assertEquals(
            List.of(
                "sv parent 5 from - ro=false",
                "sv/inner parent 256 from - ro=false",
                "d/new parent 5 from - ro=false",
                "d/snap parent 5 from sv ro=false",
                "snapofsnap parent 5 from d/snap ro=false",
                "newro parent 5 from d/new ro=true"),
            SubvolumeRelations.of(m));
        assertTrue(!Files.exists(m.resolve("d/snap/snap")), "d/snap/snap is still there");
        assertEquals("changed in the snapshot\n", Files.readString(m.resolve("d/snap/file3")));
        assertEquals("content 3\n\n\n", Files.readString(m.resolve("sv/file3")));
        sh("btrfs", "subvolume", "delete", m + "/snapofsnap");
        sh("btrfs", "subvolume", "sync", m.toString());
      }
      BtrfsCheck.assertClean(img, "after the kernel deleted another");
    } finally {
      ImageFiles.deleteQuietly(img);
    }
  }

  private static void jbtrfs(Path img, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    // The image goes after the subcommand's options, as in `jbtrfs subvolume snapshot -r IMG`.
    int at = all.indexOf("-r") >= 0 ? all.indexOf("-r") + 1 : 2;
    all.add(at, img.toString());
    JbtrfsCli.run(all.toArray(String[]::new));
  }

  /** The command fails, saying why, and the superblock's generation (so everything) is kept. */
  private static void refusedWithoutChange(Path img, String reason, String... args) {
    String before = generation(img);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> jbtrfs(img, args));
    String message = String.valueOf(e.getCause() == null ? e : e.getCause().getMessage());
    assertTrue(message.contains(reason), String.join(" ", args) + ": " + message);
    assertEquals(before, generation(img), String.join(" ", args) + " changed the image");
  }

  private static String generation(Path img) {
    String out =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-super", img.toString())).check().out();
    for (String line : out.split("\n")) if (line.startsWith("generation")) return line;
    throw new AssertionError("no generation in dump-super");
  }

  private static void assertSameFiles(Path a, Path b, String... except) throws IOException {
    List<String> names = listing(a);
    names.removeAll(List.of(except));
    List<String> other = listing(b);
    other.removeAll(List.of(except));
    assertEquals(names, other, b + " lists differently from " + a);
    for (String n : names) {
      assertArrayEquals(
          Files.readAllBytes(a.resolve(n)), Files.readAllBytes(b.resolve(n)), b + "/" + n);
    }
  }

  private static List<String> listing(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return new ArrayList<>(s.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  private static String rootId(Path p) {
    return Cmd.run(List.of("btrfs", "inspect-internal", "rootid", p.toString()))
        .check()
        .out()
        .trim();
  }

  private static void sh(String... cmd) {
    Cmd.run(List.of(cmd), null, 600).check();
  }
}
