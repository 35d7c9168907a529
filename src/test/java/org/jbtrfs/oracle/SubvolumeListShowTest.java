package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `jbtrfs subvolume list` (with btrfs-progs' options) and `show` print what btrfs-progs prints on a
 * kernel mount of the same image, byte for byte: on a jbtrfs mount (answered through the
 * tree-search and inode-lookup ioctls) and on the image itself. The subvolumes are made by both:
 * the kernel makes nested ones, a read-only snapshot and a snapshot of it; a jbtrfs mount then
 * snapshots, creates, and deletes one (gone from the list at once; `subvolume sync` waits for its
 * drop), and sets the default subvolume and back (set-default by path and by id, get-default).
 */
class SubvolumeListShowTest {
  private static final List<List<String>> LISTS =
      List.of(
          List.of(), List.of("-puq"), List.of("-t"), List.of("-s"), List.of("-r"), List.of("-cR"));
  private static final List<String> SHOWN = List.of("", "a", "s", "a/d/b", "j1", "a/j2");

  @TempDir Path tmp;

  @Test
  void listAndShowPrintWhatBtrfsProgsPrints() throws Exception {
    Environment.requireOracleHost();
    Path img = ImageFiles.mkfs(tmp, "img", 512L << 20);
    Path kmnt = tmp.resolve("kmnt");
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), kmnt)) {
      btrfs("subvolume", "create", k.path() + "/a");
      Files.createDirectory(k.path().resolve("a/d"));
      btrfs("subvolume", "create", k.path() + "/a/d/b");
      btrfs("subvolume", "snapshot", "-r", k.path() + "/a", k.path() + "/s");
      btrfs("subvolume", "snapshot", k.path() + "/s", k.path() + "/a/d/s2");
    }
    Path jmnt = Files.createDirectories(tmp.resolve("jmnt"));
    try (RwFuseMount m = RwFuseMount.mount(img, jmnt, "")) {
      String mnt = m.path().toString();
      cli("subvolume", "snapshot", mnt + "/a", mnt + "/j1");
      cli("subvolume", "create", mnt + "/a/j2");
      cli("subvolume", "delete", mnt + "/a/d/s2");
      assertFalse(
          cli("subvolume", "list", mnt).contains("s2"), "a deleted subvolume is not listed");
      cli("subvolume", "sync", mnt);
      // set-default and get-default through the mount: by path, then back by id.
      cli("subvolume", "set-default", mnt + "/j1");
      String j1 = cli("subvolume", "get-default", mnt);
      assertTrue(
          j1.matches("ID \\d+ gen \\d+ top level 5 path j1\n"),
          "get-default after set-default: " + j1);
      cli("subvolume", "set-default", "5", mnt);
      assertEquals("ID 5 (FS_TREE)\n", cli("subvolume", "get-default", mnt));
    }
    BtrfsCheck.assertClean(img, "after jbtrfs made and deleted subvolumes");
    String kernel;
    String kernelTop;
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), kmnt, "ro")) {
      kernel = outputs(k.path().toString(), true, args -> btrfs(args.toArray(String[]::new)));
      kernelTop = outputs(k.path().toString(), false, args -> btrfs(args.toArray(String[]::new)));
    }
    String live;
    try (FuseMount f = FuseMount.mount(List.of(img), jmnt, "")) {
      live = outputs(jmnt.toString(), true, args -> cli(args.toArray(String[]::new)));
    }
    String offline = outputs(null, false, args -> cli(offline(args, img).toArray(String[]::new)));
    System.out.println("SubvolumeListShowTest, btrfs-progs on a kernel mount:\n" + kernel);
    assertEquals(kernel, live, "jbtrfs on a jbtrfs mount");
    assertEquals(kernelTop, offline, "jbtrfs on the image");
  }

  /** Every list variant, then show of each subvolume; {@code mnt} null: paths in the image. */
  private static String outputs(String mnt, boolean subpaths, Function<List<String>, String> run) {
    StringBuilder b = new StringBuilder();
    for (List<String> opts : LISTS) {
      List<String> args = new ArrayList<>(List.of("subvolume", "list"));
      args.addAll(opts);
      args.add(mnt == null ? "" : mnt);
      b.append(run.apply(args));
    }
    if (subpaths) {
      // Paths relate to the subvolume the listed path is in (an image has only the top level).
      for (List<String> v :
          List.of(
              List.of("-o", "/a"), List.of("-a", "/a"), List.of("/a/d/b"), List.of("-o", "/a/d"))) {
        List<String> args = new ArrayList<>(List.of("subvolume", "list"));
        args.addAll(v.subList(0, v.size() - 1));
        args.add(mnt + v.get(v.size() - 1));
        b.append(run.apply(args));
      }
    }
    b.append(run.apply(List.of("subvolume", "get-default", mnt == null ? "" : mnt)));
    for (String p : SHOWN) {
      String path = mnt == null ? "/" + p : mnt + (p.isEmpty() ? "" : "/" + p);
      b.append(run.apply(List.of("subvolume", "show", path)));
    }
    return b.toString();
  }

  /** The same command on the image: IMAGE goes where the mount's path was, or before the path. */
  private static List<String> offline(List<String> args, Path img) {
    List<String> out = new ArrayList<>(args.subList(0, args.size() - 1));
    String last = args.get(args.size() - 1);
    out.add(img.toString());
    if (!last.isEmpty()) out.add(last);
    return out;
  }

  private static String btrfs(String... args) {
    List<String> cmd = new ArrayList<>(List.of("btrfs"));
    cmd.addAll(List.of(args));
    return Cmd.run(cmd).check().out();
  }

  /** Runs a jbtrfs command in this JVM and returns what it printed. */
  private static String cli(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      JbtrfsCli.run(args);
    } finally {
      System.setOut(saved);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }
}
