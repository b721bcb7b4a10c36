package io.p2pnode.session;

import io.vertx.core.internal.ContextInternal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Where and when a session's work runs: always on the session's context, in the order it was
 * handed over, and without a task per message where none is needed.
 * <ul>
 *   <li>On the session's context already: now.</li>
 *   <li>On the session's event loop but another context (an application's verticle on the same
 *       loop, the design's usual case), with nothing of the session's queued that it could overtake
 *       and no session code on the stack that it would run in the middle of: now, with the session's
 *       context made current for the call. Before, each of these was a task on the loop's queue: a
 *       queue hop per message for a session that runs on the sender's own thread.</li>
 *   <li>Otherwise (another thread, or earlier work still queued, or session code on the stack, such
 *       as a consumer the session delivered to sending again): queued on the session's context,
 *       behind what is queued.</li>
 * </ul>
 * What a task throws is contained to the session ({@code contain}). {@link #execute} may be called
 * from any thread; {@link #enter}/{@link #exit} and {@link #runGuarded} only on the session's loop.
 */
final class SessionExecutor {
  private final ContextInternal ctx;
  private final Consumer<Throwable> contain;
  /** Tasks queued on the session's context that have not run yet: a later one must not overtake them. */
  private final AtomicInteger queued = new AtomicInteger();
  /** Session code on the stack of the session's thread; touched on that thread only. */
  private int depth;

  /**
   * @param ctx     the session's context
   * @param contain takes what a task throws (the session's fault handling)
   */
  SessionExecutor(ContextInternal ctx, Consumer<Throwable> contain) {
    this.ctx = ctx;
    this.contain = contain;
  }

  /** Runs {@code task} on the session's context: now when it may (see the class comment), else queued. Any thread. */
  void execute(Runnable task) {
    if (ctx.isRunningOnContext()) {
      runGuarded(task);
    } else if (depth == 0 && queued.get() == 0 && ctx.nettyEventLoop().inEventLoop()) {
      ContextInternal previous = enter();
      try {
        guarded(task);
      } finally {
        exit(previous);
      }
    } else {
      queued.incrementAndGet();
      try {
        ctx.runOnContext(v -> {
          queued.decrementAndGet();
          runGuarded(task);
        });
      } catch (RuntimeException closing) { // the context's loop is shutting down
        queued.decrementAndGet();
        throw closing;
      }
    }
  }

  /**
   * On the session's loop: makes the session's context current (its timers, and whatever Vert.x
   * catches inside, belong to the session) and counts session code on the stack until {@link #exit}.
   *
   * @return the context to give back to {@link #exit}
   */
  ContextInternal enter() {
    ContextInternal previous = ctx.beginDispatch();
    depth++;
    return previous;
  }

  /** Ends what {@link #enter} began. */
  void exit(ContextInternal previous) {
    depth--;
    ctx.endDispatch(previous);
  }

  /** Runs {@code task} now, on the session's loop, as session code; what it throws is contained. */
  void runGuarded(Runnable task) {
    depth++;
    try {
      guarded(task);
    } finally {
      depth--;
    }
  }

  private void guarded(Runnable task) {
    try {
      task.run();
    } catch (Throwable t) {
      contain.accept(t);
    }
  }
}
