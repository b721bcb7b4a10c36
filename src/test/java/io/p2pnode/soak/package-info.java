/**
 * The soak: three or more peers and a coordinator process under mixed traffic (bursts,
 * request/reply, 16 MiB messages, unreliable sends) while peers restart, paths flap and the
 * coordinator is killed and restarted, with the delivery invariants checked continuously and the
 * process's vitals (heap, direct memory, threads, file descriptors) sampled. {@code Soak} is the
 * command ({@code bash bench/soak.sh SECONDS}); {@code SoakTest} runs its short form in the suite.
 */
package io.p2pnode.soak;
