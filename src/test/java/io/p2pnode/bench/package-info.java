/**
 * Benchmarks (mains, not tests): {@link io.p2pnode.bench.Benchmark} ({@code bench/run.sh}) runs
 * raw Netty UDP, the Vert.x clustered event bus and p2p-node as driver/peer process pairs
 * ({@link io.p2pnode.bench.BenchDriver}, {@link io.p2pnode.bench.BenchPeer}) and prints
 * {@link io.p2pnode.bench.Figure}s; {@link io.p2pnode.bench.TransportBench} the UDP batching
 * alone; the NAT-lab, cluster and memory benchmarks. Figures print ratios against baselines
 * measured in the same run.
 */
package io.p2pnode.bench;
