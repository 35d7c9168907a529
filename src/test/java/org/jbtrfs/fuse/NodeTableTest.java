package org.jbtrfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.jbtrfs.fs.Node;
import org.junit.jupiter.api.Test;

class NodeTableTest {
  private final Node root = new Node(null, 256);
  // Ids as NodeIds gives them need real subvolumes; any function of the inode shows the table.
  private final NodeTable t = new NodeTable(root, n -> 1000 + n.ino());

  @Test
  void rootIsOneAndNeverForgotten() {
    assertThat(t.node(FuseProtocol.ROOT_ID)).isEqualTo(root);
    t.forget(FuseProtocol.ROOT_ID, 1000);
    assertThat(t.node(FuseProtocol.ROOT_ID)).isEqualTo(root);
    assertThat(t.parent(FuseProtocol.ROOT_ID)).isEqualTo(root);
  }

  @Test
  void oneIdPerInodeWhileTheKernelHoldsIt() {
    Node file = new Node(null, 300);
    Node dirA = new Node(null, 257);
    Node dirB = new Node(null, 258);
    long id = t.lookedUp(file, dirA);
    // A second name of the same inode (a hard link) gets the same id, so one kernel inode.
    assertThat(t.lookedUp(file, dirB)).isEqualTo(id);
    t.forget(id, 1);
    assertThat(t.node(id)).isEqualTo(file);
    t.forget(id, 1);
    assertThat(t.node(id)).isNull();
    // The id names the inode: looked up again, it is the same one.
    assertThat(t.lookedUp(file, dirA)).isEqualTo(id);
    assertThat(t.node(id)).isEqualTo(file);
  }

  @Test
  void batchedForgetsCountDown() {
    Node file = new Node(null, 301);
    long id = 0;
    for (int i = 0; i < 5; i++) id = t.lookedUp(file, root);
    t.forget(id, 4);
    assertThat(t.node(id)).isEqualTo(file);
    t.forget(id, 1);
    assertThat(t.node(id)).isNull();
    assertThat(t.size()).isEqualTo(1);
  }

  @Test
  void directoriesRememberWhereTheyAre() {
    Node dir = new Node(null, 400);
    Node a = new Node(null, 401);
    Node b = new Node(null, 402);
    long id = t.lookedUp(dir, a);
    assertThat(t.parent(id)).isEqualTo(a);
    t.moved(dir, b);
    assertThat(t.parent(id)).isEqualTo(b);
    assertThat(t.parent(12345)).isNull();
    // An inode the kernel came back to with LOOKUP ".": its directory is not known.
    Node other = new Node(null, 403);
    assertThat(t.parent(t.lookedUp(other, null))).isNull();
  }
}
