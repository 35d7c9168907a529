package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a kernel mount says of its subvolumes, in a form that does not depend on who made them:
 * `btrfs subvolume list -puq` rows as "PATH parent ID from SOURCE ro=BOOL", the snapshot's source
 * named by the path of the subvolume whose uuid is its parent_uuid ("<top>" for the top level, "-"
 * for none).
 */
final class SubvolumeRelations {
  private SubvolumeRelations() {}

  static List<String> of(Path mnt) {
    String list =
        Cmd.run(List.of("btrfs", "subvolume", "list", "-puq", mnt.toString())).check().out();
    Map<String, String> pathOfUuid = new LinkedHashMap<>();
    pathOfUuid.put(topUuid(mnt), "<top>");
    List<String[]> rows = new ArrayList<>();
    for (String line : list.split("\n")) {
      if (line.isBlank()) continue;
      // ID n gen g parent p top level t parent_uuid PU uuid U path P
      String[] f = line.trim().split("\\s+");
      String path = f[f.length - 1];
      pathOfUuid.put(f[f.length - 3], path);
      rows.add(new String[] {path, f[5], f[f.length - 5]});
    }
    List<String> out = new ArrayList<>();
    for (String[] r : rows) {
      String ro =
          Cmd.run(List.of("btrfs", "property", "get", mnt + "/" + r[0], "ro")).check().out().trim();
      out.add(r[0] + " parent " + r[1] + " from " + pathOfUuid.getOrDefault(r[2], r[2]) + " " + ro);
    }
    return out;
  }

  private static String topUuid(Path mnt) {
    return Cmd.run(List.of("btrfs", "subvolume", "show", mnt.toString()))
        .check()
        .out()
        .lines()
        .map(String::trim)
        .filter(l -> l.startsWith("UUID:"))
        .map(l -> l.substring(5).trim())
        .findFirst()
        .orElse("?");
  }
}
