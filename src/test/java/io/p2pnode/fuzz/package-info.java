/** Hostile-input tests: reproducible datagram fuzzing of running nodes. */
package io.p2pnode.fuzz;
