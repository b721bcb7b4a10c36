/** The peer registry: peer id → endpoints, owner and expiry; local now, Hazelcast-backed when clustered. */
package io.p2pnode.registry;
