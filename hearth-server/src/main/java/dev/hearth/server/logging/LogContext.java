package dev.hearth.server.logging;

import java.util.concurrent.Callable;

/**
 * The function, job and worker that the current code works for, so that log records can name them. Bound for a
 * scope with {@link ScopedValue} (the HTTP front door binds the ids in a request's path), never global mutable state:
 * virtual threads and nested scopes each see their own.
 *
 * @param function the function, or null
 * @param job      the job id, or null
 * @param worker   the worker id, or null
 */
public record LogContext(String function, String job, String worker) {

    private static final ScopedValue<LogContext> CURRENT = ScopedValue.newInstance();
    private static final LogContext NONE = new LogContext(null, null, null);

    /** The ids bound for the running code; all null outside any scope. */
    public static LogContext current() {
        return CURRENT.orElse(NONE);
    }

    /** Ids that are null here are inherited from the enclosing scope. */
    public static LogContext of(String function, String job, String worker) {
        LogContext outer = current();
        return new LogContext(function != null ? function : outer.function, job != null ? job : outer.job,
                worker != null ? worker : outer.worker);
    }

    public void run(Runnable body) {
        ScopedValue.where(CURRENT, this).run(body);
    }

    public <T> T call(Callable<T> body) throws Exception {
        return ScopedValue.where(CURRENT, this).call(body::call);
    }

    public boolean isEmpty() {
        return function == null && job == null && worker == null;
    }
}
