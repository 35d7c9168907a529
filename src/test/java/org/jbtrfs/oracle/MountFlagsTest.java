package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-mount flags behave as for any mount: by default set-id programs, device files and
 * programs work on a root mount; nosuid, nodev and noexec take each away, as on a kernel mount of
 * the same image made in the same run. With noacl, ACLs are refused and the umask applies.
 */
class MountFlagsTest {
  @TempDir Path tmp;

  /** Runs the probes in a shell on {@code mnt}; one line per probe. */
  private static String probe(Path mnt) {
    String script =
        String.join(
            "\n",
            "cd \"$1\"",
            "rm -rf probe && mkdir probe && cd probe && chmod 755 .",
            "cp /usr/bin/id ./id && chmod 4755 ./id",
            "printf '#!/bin/sh\\necho ran\\n' > run.sh && chmod 755 run.sh",
            "mknod null c 1 3 && chmod 666 null",
            "echo \"suid: $(su nobody -s /bin/sh -c \"$PWD/id -u\" 2>&1)\"",
            "echo \"exec: $(./run.sh 2>&1 | sed 's#.*: ##')\"",
            "echo \"dev: $( (echo x > null && echo writes) 2>&1 | sed 's#.*: ##')\"",
            "umask 027; touch masked; echo \"umask: $(stat -c %a masked)\"",
            "echo \"setfacl: $(setfacl -m u:nobody:r masked 2>&1 | sed 's#.*: ##')\"",
            "echo \"options: $(findmnt -no OPTIONS -T . | tr ',' '\\n'"
                + " | grep -xE 'nosuid|nodev|noexec' | sort | tr '\\n' ' ')\"");
    Cmd.Result r = Cmd.run(List.of("sh", "-c", script, "probe", mnt.toString()), null, 120);
    assertEquals(0, r.exitCode(), r.out() + r.stderr());
    return r.out();
  }

  private String kernel(Path img, String options) throws Exception {
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount m = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("mnt"), options)) {
      return probe(m.path());
    }
  }

  private String jbtrfs(Path img, String options) {
    try (FuseMount m = FuseMount.mountReadWrite(List.of(img), tmp.resolve("mnt"), options)) {
      return probe(m.path());
    }
  }

  @Test
  void flagsAsOnAKernelMount() throws Exception {
    Environment.requireOracleHost();
    Files.setPosixFilePermissions(
        tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path ki = tmp.resolve("k.img");
    Path ji = tmp.resolve("j.img");
    for (Path img : List.of(ki, ji)) {
      Loop.createSparse(img, 512L << 20);
      Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString())).check();
    }
    for (String options : List.of("", "nosuid,nodev,noexec", "nosuid", "noexec,noacl")) {
      String k = kernel(ki, options);
      String j = jbtrfs(ji, options);
      System.err.println("-o " + options + ":\n" + j);
      assertEquals(k, j, "with -o '" + options + "'");
      if (options.isEmpty()) {
        assertTrue(j.contains("suid: 0") && j.contains("exec: ran"), j);
      }
    }
    Cmd.Result check = Cmd.run(List.of("btrfs", "check", "--readonly", ji.toString()), null, 300);
    assertEquals(0, check.exitCode(), check.out() + check.stderr());
  }
}
