package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The image (and extra devices) an inspection command works on. */
final class ImageArgs {
  @Parameters(index = "0", description = "Image file or device.")
  Path image;

  @Option(names = "--device", description = "Another device of the same filesystem (repeatable).")
  List<Path> devices = new ArrayList<>();

  @Option(names = "--degraded", description = "Allow missing devices.")
  boolean degraded;

  Filesystem open() throws IOException {
    return open(options());
  }

  /**
   * Opens without the kernel's mount-time cross-checks, so a diagnostic command shows a damaged
   * filesystem (a block group that disagrees with its chunk, say) instead of refusing it.
   */
  Filesystem openForInspection() throws IOException {
    return open(options().withoutMountChecks());
  }

  private MountOptions options() {
    return MountOptions.readOnlyDefaults().withDegraded(degraded).withNoLogReplay(true);
  }

  private Filesystem open(MountOptions options) throws IOException {
    List<Path> all = new ArrayList<>();
    all.add(image);
    all.addAll(devices);
    return Filesystem.open(all, options);
  }
}
