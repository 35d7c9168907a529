package org.jbtrfs.testutil;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A small kernel-made btrfs image used as an oracle: created with mkfs.btrfs in a temp dir, mounted
 * through a loop device, then inspected offline with btrfs inspect-internal. Always use in
 * try-with-resources so the filesystem is unmounted even when a test fails. Logical-to-physical
 * mapping assumes SINGLE profiles on one device (what {@link #create} makes).
 */
public final class ScratchBtrfs implements AutoCloseable {
  /** Size of struct btrfs_header; leaf item data offsets are relative to its end. */
  public static final int HEADER_SIZE = 101;

  private static final Pattern CHUNK =
      Pattern.compile(
          "CHUNK_ITEM (\\d+)\\) itemoff \\d+ itemsize \\d+\\s+length (\\d+) .*?stripe 0 devid \\d+"
              + " offset (\\d+)",
          Pattern.DOTALL);
  private static final Pattern LEAF = Pattern.compile("^leaf (\\d+) items");
  private static final Pattern ITEM =
      Pattern.compile(
          "^\\s*item \\d+ key \\((\\S+) (\\S+) (\\d+)\\) itemoff (\\d+) itemsize (\\d+)");

  private final Path image;
  private final Path mountPoint;
  private boolean mounted;
  private TreeMap<Long, long[]> chunks;

  private ScratchBtrfs(Path image, Path mountPoint) {
    this.image = image;
    this.mountPoint = mountPoint;
  }

  /** Makes a 200 MiB single-profile image; aborts the test (skip) when this machine cannot. */
  public static ScratchBtrfs create(Path dir, String... extraMkfsArgs) throws IOException {
    requireKernelTools();
    Path img = dir.resolve("btrfs.img");
    Path mnt = dir.resolve("mnt");
    Files.createDirectories(mnt);
    run("truncate", "-s", "200M", img.toString());
    List<String> mkfs =
        new ArrayList<>(List.of("mkfs.btrfs", "-q", "-f", "-d", "single", "-m", "single"));
    mkfs.addAll(List.of(extraMkfsArgs));
    mkfs.add(img.toString());
    run(mkfs.toArray(String[]::new));
    return new ScratchBtrfs(img, mnt);
  }

  public static void requireKernelTools() {
    if (!"root".equals(System.getProperty("user.name"))) {
      Assumptions.abort("kernel oracle test skipped: needs root for loop mounts");
    }
    for (String tool :
        new String[] {"mkfs.btrfs", "btrfs", "mount", "umount", "truncate", "losetup"}) {
      if (!onPath(tool)) {
        Assumptions.abort("kernel oracle test skipped: " + tool + " is not installed");
      }
    }
  }

  private static boolean onPath(String tool) {
    for (String d :
        System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  public Path image() {
    return image;
  }

  /** Mounts with "loop" plus the given options and returns the mount point. */
  public Path mount(String options) throws IOException {
    String opts = options == null || options.isEmpty() ? "loop" : "loop," + options;
    try {
      run("mount", "-t", "btrfs", "-o", opts, image.toString(), mountPoint.toString());
    } catch (IOException e) {
      Assumptions.abort(
          "kernel oracle test skipped: cannot loop-mount btrfs (" + e.getMessage() + ")");
    }
    mounted = true;
    return mountPoint;
  }

  public void unmount() throws IOException {
    if (mounted) {
      run("umount", mountPoint.toString());
      mounted = false;
    }
    chunks = null; // the chunk layout may have changed while mounted
  }

  @Override
  public void close() throws IOException {
    try {
      if (mounted) {
        mounted = false;
        runQuietly("umount", "-l", mountPoint.toString());
      }
    } finally {
      // mount -o loop auto-detaches; this catches a loop device left behind by a failure.
      String attached = runQuietly("losetup", "-j", image.toString());
      for (String line : attached.split("\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.startsWith("/dev/loop")) {
          runQuietly("losetup", "-d", line.substring(0, colon));
        }
      }
    }
  }

  /** Text of btrfs inspect-internal dump-tree for one tree (image must be unmounted). */
  public String dumpTree(String tree, String... extra) throws IOException {
    List<String> cmd =
        new ArrayList<>(List.of("btrfs", "inspect-internal", "dump-tree", "-t", tree));
    cmd.addAll(List.of(extra));
    cmd.add(image.toString());
    return run(cmd.toArray(String[]::new));
  }

  public byte[] readPhysical(long offset, int len) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
      byte[] b = new byte[len];
      f.seek(offset);
      f.readFully(b);
      return b;
    }
  }

  public byte[] readLogical(long logical, int len) throws IOException {
    return readPhysical(physical(logical), len);
  }

  /** Maps a logical address through the chunk tree (SINGLE profile: one stripe). */
  public long physical(long logical) throws IOException {
    if (chunks == null) {
      chunks = new TreeMap<>();
      Matcher m = CHUNK.matcher(dumpTree("chunk"));
      while (m.find()) {
        chunks.put(
            Long.parseLong(m.group(1)),
            new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
      }
    }
    var e = chunks.floorEntry(logical);
    if (e == null || logical >= e.getKey() + e.getValue()[0]) {
      throw new IOException("logical " + logical + " is in no chunk");
    }
    return e.getValue()[1] + (logical - e.getKey());
  }

  /** One item as dump-tree listed it, with its raw bytes read back from the leaf. */
  public record Item(
      long leaf, String objectId, String type, long offset, byte[] data, List<String> text) {}

  /** All items of a tree whose key type is one of the given names, with their raw payload. */
  public List<Item> items(String tree, String... types) throws IOException {
    List<String> wanted = List.of(types);
    List<Item> out = new ArrayList<>();
    long leaf = -1;
    String[] lines = dumpTree(tree).split("\n");
    for (int i = 0; i < lines.length; i++) {
      Matcher lm = LEAF.matcher(lines[i]);
      if (lm.find()) {
        leaf = Long.parseLong(lm.group(1));
        continue;
      }
      Matcher im = ITEM.matcher(lines[i]);
      if (!im.find() || !wanted.contains(im.group(2))) {
        continue;
      }
      List<String> text = new ArrayList<>();
      for (int j = i + 1;
          j < lines.length
              && !ITEM.matcher(lines[j]).find()
              && !lines[j].startsWith("leaf ")
              && !lines[j].startsWith("node ");
          j++) {
        text.add(lines[j].trim());
      }
      int itemOff = Integer.parseInt(im.group(4));
      int itemSize = Integer.parseInt(im.group(5));
      byte[] data = readLogical(leaf + HEADER_SIZE + itemOff, itemSize);
      out.add(new Item(leaf, im.group(1), im.group(2), Long.parseLong(im.group(3)), data, text));
    }
    return out;
  }

  public static String run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + String.join(" ", cmd));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + text);
    }
    return text;
  }

  private static String runQuietly(String... cmd) {
    try {
      return run(cmd);
    } catch (IOException e) {
      return "";
    }
  }
}
