package dev.hearth.bench;

import java.lang.reflect.Method;

/**
 * Profiles only the measured window of a benchmark with async-profiler, when asked:
 * {@code -Dprofile=/path/libasyncProfiler.so -Dprofile.out=/tmp/profile.txt} and the profiler's jar (its
 * {@code one.profiler} classes) on the class path. Warm-up and JIT compilation stay out of the profile. Found by
 * reflection so that the benchmarks need no profiler to run.
 */
final class Profiler {

    private final Object instance;
    private final Method execute;
    private final String out;

    private Profiler(Object instance, Method execute, String out) {
        this.instance = instance;
        this.execute = execute;
        this.out = out;
    }

    /**
     * The profiler if {@code -Dprofile} is set and {@code -Dprofile.phase} names {@code phase} ({@code flood} or
     * {@code sustained} in the throughput benchmark; {@code flood} when not set), else one that does nothing.
     */
    static Profiler fromProperties(String phase) {
        String lib = System.getProperty("profile");
        String wanted = System.getProperty("profile.phase", "flood");
        if (lib == null || !wanted.equals(phase)) {
            return new Profiler(null, null, null);
        }
        try {
            Class<?> c = Class.forName("one.profiler.AsyncProfiler");
            Object p = c.getMethod("getInstance", String.class).invoke(null, lib);
            return new Profiler(p, c.getMethod("execute", String.class),
                    System.getProperty("profile.out", "profile.txt"));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("-Dprofile is set but async-profiler's classes are not on the class path", e);
        }
    }

    void start() {
        run("start,event=" + System.getProperty("profile.event", "cpu") + ",interval="
                + System.getProperty("profile.interval", "5ms"));
    }

    void stop() {
        run("stop,collapsed,file=" + out);
    }

    private void run(String command) {
        if (instance == null) {
            return;
        }
        try {
            execute.invoke(instance, command);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("async-profiler refused '" + command + "': " + e.getCause(), e);
        }
    }
}
