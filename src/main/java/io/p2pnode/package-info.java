/** p2p-node: {@link io.p2pnode.P2pNode} assembles a node; {@link io.p2pnode.Main} is the command line. */
package io.p2pnode;
