/** Injected time: a monotonic {@link io.p2pnode.time.Clock} and a {@link io.p2pnode.time.Scheduler} for timers. */
package io.p2pnode.time;
