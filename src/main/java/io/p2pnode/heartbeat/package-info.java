/** The node's single heartbeat timer: keepalives, liveness deadlines, registration refresh. */
package io.p2pnode.heartbeat;
