package dev.hearth.runtime.local;

import dev.hearth.placement.Gpu;
import dev.hearth.runtime.WorkerExitListener;
import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.WorkerRuntime;
import dev.hearth.runtime.WorkerStartException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs workers as child processes of the control plane on this machine, each in the {@link WorkerSandbox} given.
 *
 * <p>Each worker starts in its code bundle with the launch's environment and nothing of the server's (which holds
 * the API key and whatever else the operator exported), {@code RUNPOD_POD_ID}
 * set to the worker id and {@code CUDA_VISIBLE_DEVICES} set to the placed GPUs (empty for CPU-only workers, so they
 * never grab a GPU). Output goes straight to the log file at the OS level. A pid file per worker in the run directory
 * lets {@link #reapOrphans(Path)} kill the workers a crashed control plane left behind.
 */
public final class LocalProcessRuntime implements WorkerRuntime {

    /** The environment variable that names the worker; also what proves a pid still belongs to that worker. */
    public static final String WORKER_ID_ENV = "RUNPOD_POD_ID";

    static final String CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES";

    private static final System.Logger LOG = System.getLogger(LocalProcessRuntime.class.getName());
    private static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(10);
    // Beyond the SIGKILL deadline, how long close() waits for the kernel to reap and exit listeners to run.
    private static final Duration CLOSE_SLACK = Duration.ofSeconds(5);
    private static final Pattern ERRNO = Pattern.compile("error(?:=|:\\s*)(\\d+)");

    private final Path runDir;
    private final Duration closeGrace;
    private final WorkerSandbox sandbox;
    private final Map<String, Worker> workers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService killer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("hearth-worker-killer").factory());
    // Exit listeners may block (store updates); they must not run on the JDK's process reaper thread.
    private final Executor listenerExecutor = task -> Thread.ofVirtual().name("hearth-worker-exit").start(task);
    private volatile boolean closed;

    /** One running worker. Stop state is guarded by the instance's lock. */
    private static final class Worker {
        final String id;
        final Process process;
        final Path pidFile;
        // Completes once the exit listener has returned, so close() can wait for the listeners too.
        final CompletableFuture<Void> exitHandled = new CompletableFuture<>();
        boolean stopping;
        long killAtNanos;
        List<ProcessHandle> treeAtStop = List.of();

        Worker(String id, Process process, Path pidFile) {
            this.id = id;
            this.process = process;
            this.pidFile = pidFile;
        }
    }

    /**
     * @param runDir  where the pid files live; created if missing
     * @param sandbox what confines each worker
     */
    public LocalProcessRuntime(Path runDir, WorkerSandbox sandbox) {
        this(runDir, DEFAULT_CLOSE_GRACE, sandbox);
    }

    /** @param closeGrace how long {@link #close()} lets workers drain after SIGTERM before it SIGKILLs them */
    public LocalProcessRuntime(Path runDir, Duration closeGrace, WorkerSandbox sandbox) {
        this.runDir = runDir.toAbsolutePath();
        this.closeGrace = Objects.requireNonNull(closeGrace, "closeGrace");
        this.sandbox = Objects.requireNonNull(sandbox, "sandbox");
        try {
            Files.createDirectories(this.runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + this.runDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void start(WorkerLaunch launch, WorkerExitListener onExit) {
        Objects.requireNonNull(onExit, "onExit");
        String what = "cannot start worker " + launch.workerId() + " of function " + launch.function() + ": ";
        if (closed) {
            throw new WorkerStartException(what + "the runtime is shutting down", null);
        }
        if (launch.command().isEmpty()) {
            throw new WorkerStartException(what + "the command is empty", null);
        }
        if (workers.containsKey(launch.workerId())) {
            throw new WorkerStartException(what + "a worker with that id is already running", null);
        }
        Path workDir = launch.workDir().toAbsolutePath();
        if (!Files.exists(workDir)) {
            throw new WorkerStartException(what + "work dir " + workDir + " does not exist", null);
        }
        if (!Files.isDirectory(workDir)) {
            throw new WorkerStartException(what + "work dir " + workDir + " is not a directory", null);
        }
        Path logFile = launch.logFile().toAbsolutePath();
        try {
            Files.createDirectories(logFile.getParent());
        } catch (IOException e) {
            throw new WorkerStartException(what + "cannot create log directory " + logFile.getParent() + ": "
                    + e.getMessage(), e);
        }

        Map<String, String> launchEnv = new HashMap<>(launch.env());
        launchEnv.put(WORKER_ID_ENV, launch.workerId());
        launchEnv.put(CUDA_VISIBLE_DEVICES, cudaVisibleDevices(launch.gpus()));
        WorkerSandbox.Invocation invocation;
        try {
            invocation = sandbox.invocation(launch, launchEnv);
        } catch (WorkerStartException e) {
            throw new WorkerStartException(what + e.getMessage(), e.getCause());
        }
        ProcessBuilder builder = new ProcessBuilder(invocation.command())
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.clear();
        // also the sandbox's own environment: its /proc/<pid>/environ names the worker for reapOrphans
        env.putAll(invocation.env());

        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new WorkerStartException(what + explain(launch.command().getFirst(), e), e);
        }

        Worker worker = new Worker(launch.workerId(), process, PidFiles.fileFor(runDir, launch.workerId()));
        if (workers.putIfAbsent(worker.id, worker) != null) {
            // Lost a race with a concurrent start of the same id; the check above catches the ordinary case.
            process.destroyForcibly();
            throw new WorkerStartException(what + "a worker with that id is already running", null);
        }
        try {
            PidFiles.write(worker.pidFile, process.pid(), worker.id);
        } catch (IOException e) {
            // The worker runs fine without it; only reaping after a control-plane crash would miss it.
            LOG.log(Level.WARNING, "cannot write pid file {0} for worker {1}: {2}", worker.pidFile, worker.id,
                    e.getMessage());
        }
        // Registered last: a process that already exited fires this at once, after its pid file exists.
        process.onExit()
                .thenAcceptAsync(p -> exited(worker, p.exitValue(), onExit), listenerExecutor)
                .whenComplete((ignored, failure) -> worker.exitHandled.complete(null));
        if (closed) {
            scheduleKill(worker, Duration.ZERO); // close() ran while we were starting and did not see this one
        }
    }

    private void exited(Worker worker, int exitCode, WorkerExitListener onExit) {
        workers.remove(worker.id, worker);
        PidFiles.deleteIfOwned(worker.pidFile, worker.process.pid());
        sandbox.exited(worker.id);
        try {
            onExit.exited(worker.id, exitCode);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "exit listener of worker " + worker.id + " failed", e);
        }
    }

    @Override
    public void stop(String workerId, Duration grace) {
        Worker worker = workers.get(workerId);
        if (worker != null) {
            scheduleKill(worker, grace);
        }
    }

    private void scheduleKill(Worker worker, Duration grace) {
        Duration delay = grace.isNegative() ? Duration.ZERO : grace;
        long killAt = System.nanoTime() + delay.toNanos();
        synchronized (worker) {
            if (worker.stopping && worker.killAtNanos - killAt <= 0) {
                return; // an earlier SIGKILL is already scheduled; a second SIGTERM could read as "force quit"
            }
            if (!worker.stopping) {
                worker.stopping = true;
                worker.treeAtStop = ProcessTrees.tree(worker.process.toHandle());
                sandbox.program(worker.process.toHandle()).destroy();
            }
            worker.killAtNanos = killAt;
        }
        try {
            killer.schedule(() -> forceKill(worker), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            forceKill(worker); // closing: nothing will run later
        }
    }

    /**
     * SIGKILLs the worker and everything it started, also when the worker itself drained and exited but left
     * children behind (they would hold on to its GPUs). Both the tree seen at SIGTERM and the current one count: a
     * child re-parented after its parent died is only in the first.
     */
    private static void forceKill(Worker worker) {
        List<ProcessHandle> victims = new ArrayList<>();
        synchronized (worker) {
            victims.addAll(worker.treeAtStop);
        }
        if (worker.process.isAlive()) {
            victims.addAll(ProcessTrees.tree(worker.process.toHandle()));
        }
        ProcessTrees.killAll(victims);
    }

    @Override
    public boolean isAlive(String workerId) {
        Worker worker = workers.get(workerId);
        return worker != null && worker.process.isAlive();
    }

    @Override
    public OptionalLong pid(String workerId) {
        Worker worker = workers.get(workerId);
        return worker == null ? OptionalLong.empty() : OptionalLong.of(worker.process.pid());
    }

    /** A sandbox can show a volume at any path; plain processes only see the host's. */
    @Override
    public boolean mountsAtAbsolutePaths() {
        return sandbox.isolates();
    }

    /** What confines the workers, in a line for the start-up log. */
    public String sandboxDescription() {
        return sandbox.describe();
    }

    @Override
    public void close() {
        closed = true;
        List<Worker> all = List.copyOf(workers.values());
        for (Worker worker : all) {
            scheduleKill(worker, closeGrace);
        }
        long latestKill = System.nanoTime();
        for (Worker worker : all) {
            synchronized (worker) {
                if (worker.killAtNanos - latestKill > 0) {
                    latestKill = worker.killAtNanos;
                }
            }
        }
        long deadline = latestKill + CLOSE_SLACK.toNanos();
        for (Worker worker : all) {
            try {
                worker.exitHandled.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                LOG.log(Level.WARNING, "worker {0} (pid {1}) still running after SIGKILL; giving up on it",
                        worker.id, Long.toString(worker.process.pid()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                // The listener failing is logged where it runs; the process is gone either way.
            }
        }
        // Leftover children of workers that exited on their own within the grace: the scheduled kills that would
        // have caught them are dropped with the executor.
        all.forEach(LocalProcessRuntime::forceKill);
        killer.shutdownNow();
    }

    /** Comma-joined GPU indices; empty (not unset) for CPU-only workers so they see no GPU at all. */
    static String cudaVisibleDevices(List<Gpu> gpus) {
        return gpus.stream().map(gpu -> Integer.toString(gpu.index())).collect(Collectors.joining(","));
    }

    /**
     * Turns the JDK's "Cannot run program ...: error=2, No such file or directory" (or, from newer JDKs, "Exec
     * failed, error: 2 (...)") into what a user can act on.
     */
    static String explain(String program, IOException e) {
        Matcher errno = ERRNO.matcher(String.valueOf(e.getMessage()));
        int code = errno.find() ? Integer.parseInt(errno.group(1)) : -1;
        return switch (code) {
            case 2 -> "program '" + program + "' not found"
                    + (program.contains("/") ? "" : " on the PATH");
            case 13 -> "program '" + program + "' is not executable (permission denied)";
            case 8 -> "program '" + program + "' is not a valid executable (exec format error)";
            default -> "program '" + program + "' could not be run: " + e.getMessage();
        };
    }

    /**
     * Kills the workers a previous control plane left running: for each leftover pid file, SIGKILLs the process it
     * names together with its descendants, but only when {@code /proc/<pid>/environ} still carries that worker's
     * {@code RUNPOD_POD_ID}, so a recycled pid is never killed. Deletes every pid file it looks at. Call once at
     * control-plane start, before starting workers.
     *
     * @return how many leftover workers were killed
     */
    public static int reapOrphans(Path runDir) {
        List<Path> files;
        try {
            files = PidFiles.list(runDir);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot list run directory {0}: {1}", runDir, e.getMessage());
            return 0;
        }
        int killed = 0;
        for (Path file : files) {
            var entry = PidFiles.read(file);
            if (entry.isPresent() && ProcessTrees.environHasWorkerId(entry.get().pid(), entry.get().workerId())) {
                var handle = ProcessHandle.of(entry.get().pid());
                if (handle.isPresent()) {
                    ProcessTrees.killAll(ProcessTrees.tree(handle.get()));
                    killed++;
                    LOG.log(Level.INFO, "killed leftover worker {0} (pid {1})", entry.get().workerId(),
                            Long.toString(entry.get().pid()));
                }
            }
            PidFiles.deleteQuietly(file);
        }
        return killed;
    }
}
