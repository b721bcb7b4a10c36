/** Clustering of coordinators over Hazelcast (vertx-hazelcast): Vert.x instance creation. */
package io.p2pnode.cluster;
