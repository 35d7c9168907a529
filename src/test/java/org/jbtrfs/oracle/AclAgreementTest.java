package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POSIX ACLs decide access through a jbtrfs mount as through the kernel's btrfs: the steps of
 * src/test/resources/acl/acl_scenarios.py (setfacl and raw setxattr, named users and groups, the
 * mask, default ACL inheritance with and without umask, chmod rewriting the mask, set-gid clearing,
 * malformed values, cp -a and tar --acls round trips, and access by other users through forked
 * children with their own uids and groups) give the same outcomes, errno and getfacl output
 * included, on a kernel mount and on a default root jbtrfs mount.
 */
class AclAgreementTest {
  @TempDir Path tmp;

  @Test
  void kernelAndJbtrfsDecideAccessByTheSameAcls() throws Exception {
    ScriptAgreement.check(tmp, "/acl/acl_scenarios.py", Map.of(), "");
  }
}
