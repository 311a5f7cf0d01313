package dev.hearth.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hearth.placement.Gpu;
import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.WorkerStartException;
import dev.hearth.placement.ConfiguredGpuInventory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalProcessRuntimeTest {

    @TempDir
    Path tmp;

    Path runDir;
    Path workDir;
    LocalProcessRuntime runtime;
    final Map<String, List<Integer>> exits = new ConcurrentHashMap<>();
    final List<ProcessHandle> strays = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        runDir = tmp.resolve("run");
        workDir = Files.createDirectories(tmp.resolve("bundle"));
        runtime = new LocalProcessRuntime(runDir, Duration.ofSeconds(2), HostSandbox.get());
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        strays.forEach(ProcessHandle::destroyForcibly);
    }

    static ConditionFactory waiting() {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20));
    }

    WorkerLaunch launch(String id, String script, Map<String, String> env, List<Gpu> gpus) {
        return new WorkerLaunch(id, "echo", 1, workDir, List.of("sh", "-c", script), env, gpus, logOf(id));
    }

    Path logOf(String id) {
        return tmp.resolve("logs").resolve("echo").resolve(id + ".log");
    }

    void start(String id, String script) {
        start(launch(id, script, Map.of(), List.of()));
    }

    void start(WorkerLaunch launch) {
        // Replaced whole, so a reader never sees the list before the code is in it.
        runtime.start(launch, (id, code) -> exits.merge(id, List.of(code),
                (before, added) -> Stream.concat(before.stream(), added.stream()).toList()));
    }

    String log(String id) {
        try {
            return Files.exists(logOf(id)) ? Files.readString(logOf(id)) : "";
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    void awaitLog(String id, String text) {
        waiting().until(() -> log(id).contains(text));
    }

    void awaitExit(String id, int code) {
        waiting().until(() -> exits.containsKey(id));
        assertThat(exits.get(id)).containsExactly(code);
    }

    /** The pid, as the host sees it, of the worker's descendant running {@code program}, once it runs. */
    long descendant(String workerId, String program) {
        long[] pid = new long[1];
        waiting().until(() -> {
            var found = ProcessHandle.of(runtime.pid(workerId).orElseThrow()).orElseThrow().descendants()
                    .filter(h -> h.info().command().orElse("").endsWith("/" + program)).findFirst();
            found.ifPresent(h -> pid[0] = h.pid());
            return found.isPresent();
        });
        return pid[0];
    }

    /** Gone or a zombie: a killed orphan is a zombie until whatever adopted it reaps it. */
    static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void runsTheCommandInTheWorkDirWithOutputAppendedToTheLog() throws IOException {
        Files.createDirectories(logOf("w-1").getParent());
        Files.writeString(logOf("w-1"), "earlier run\n");

        start("w-1", "echo out; echo err >&2; pwd");

        awaitExit("w-1", 0);
        assertThat(log("w-1")).isEqualTo("earlier run\nout\nerr\n" + workDir.toRealPath() + "\n");
    }

    @Test
    void passesTheLaunchEnvironmentWorkerIdAndPlacedGpus() {
        List<Gpu> gpus = ConfiguredGpuInventory.parse("H100:4", "node-a").gpus().subList(1, 3);
        start(launch("w-2", "echo \"greeting=$GREETING cvd=[$CUDA_VISIBLE_DEVICES] pod=$RUNPOD_POD_ID\"",
                Map.of("GREETING", "hello"), gpus));

        awaitExit("w-2", 0);
        assertThat(log("w-2")).contains("greeting=hello cvd=[1,2] pod=w-2");
    }

    @Test
    void inheritsNothingOfTheControlPlanesEnvironment() {
        assertThat(System.getenv("HOME")).as("this test needs a HOME to leave out").isNotNull();
        start(launch("w-2", "echo \"home=[${HOME-unset}] path=[${PATH-unset}]\"", Map.of("PATH", "/usr/bin:/bin"),
                List.of()));

        awaitExit("w-2", 0);
        assertThat(log("w-2")).contains("home=[unset] path=[/usr/bin:/bin]");
    }

    @Test
    void cpuOnlyWorkersSeeNoGpu() {
        start(launch("w-3", "echo \"cvd=[${CUDA_VISIBLE_DEVICES-unset}]\"",
                Map.of("CUDA_VISIBLE_DEVICES", "0"), List.of()));

        awaitExit("w-3", 0);
        assertThat(log("w-3")).contains("cvd=[]");
    }

    @Test
    void reportsTheExitCodeOnceAndForgetsTheWorker() {
        start("w-4", "exit 3");

        awaitExit("w-4", 3);
        assertThat(runtime.isAlive("w-4")).isFalse();
        assertThat(runtime.pid("w-4")).isEmpty();
        assertThat(runDir).isEmptyDirectory();
        runtime.close();
        assertThat(exits.get("w-4")).containsExactly(3);
    }

    @Test
    void tracksALiveWorkerWithItsPidFile() throws IOException {
        start("w-5", "echo ready; exec sleep 60");
        awaitLog("w-5", "ready");

        assertThat(runtime.isAlive("w-5")).isTrue();
        long pid = runtime.pid("w-5").orElseThrow();
        assertThat(Files.readAllLines(runDir.resolve("w-5.pid"))).containsExactly(Long.toString(pid), "w-5");
        assertThat(exits).isEmpty();
    }

    @Test
    void stopSendsTermAndLetsTheWorkerDrain() {
        start("w-6", "trap 'echo drained; exit 0' TERM; echo ready; while true; do sleep 0.05; done");
        awaitLog("w-6", "ready");

        runtime.stop("w-6", Duration.ofSeconds(30));

        awaitExit("w-6", 0);
        assertThat(log("w-6")).contains("drained");
        runtime.stop("w-6", Duration.ZERO); // already gone: ignored
        runtime.stop("nobody", Duration.ZERO);
    }

    @Test
    void stopKillsAWorkerThatIgnoresTermOnceTheGraceHasPassed() {
        start("w-7", "trap '' TERM; echo ready; while true; do sleep 0.05; done");
        awaitLog("w-7", "ready");

        runtime.stop("w-7", Duration.ofMillis(300));

        awaitExit("w-7", 128 + 9);
    }

    @Test
    void stopKillsTheDescendantsToo() {
        start("w-8", "trap '' TERM; sleep 60 & echo ready; wait");
        awaitLog("w-8", "ready");
        long child = descendant("w-8", "sleep");
        ProcessHandle.of(child).ifPresent(strays::add);

        runtime.stop("w-8", Duration.ofMillis(100));

        awaitExit("w-8", 128 + 9);
        waiting().until(() -> gone(child));
    }

    @Test
    void killsChildrenLeftBehindByAWorkerThatDrainedWithinTheGrace() {
        start("w-9", "sleep 60 & trap 'exit 0' TERM; echo ready; wait");
        awaitLog("w-9", "ready");
        long child = descendant("w-9", "sleep");
        ProcessHandle.of(child).ifPresent(strays::add);

        runtime.stop("w-9", Duration.ofMillis(300));

        awaitExit("w-9", 0);
        waiting().until(() -> gone(child));
    }

    @Test
    void closeStopsEveryWorkerAndWaitsForThem() {
        start("w-10", "trap 'echo drained; exit 0' TERM; echo ready; while true; do sleep 0.05; done");
        start("w-11", "trap '' TERM; echo ready; while true; do sleep 0.05; done");
        awaitLog("w-10", "ready");
        awaitLog("w-11", "ready");

        runtime.close();

        assertThat(exits).containsEntry("w-10", List.of(0)).containsEntry("w-11", List.of(128 + 9));
        assertThat(log("w-10")).contains("drained");
        assertThat(runDir).isEmptyDirectory();
        assertThatThrownBy(() -> start("w-12", "true"))
                .isInstanceOf(WorkerStartException.class)
                .hasMessage("cannot start worker w-12 of function echo: the runtime is shutting down");
    }

    @Test
    void reapOrphansKillsWorkersOfAPreviousRuntimeButNotStrangers() throws IOException {
        start("w-13", "sleep 60 & echo ready; wait");
        awaitLog("w-13", "ready");
        long orphan = runtime.pid("w-13").orElseThrow();
        long orphanChild = descendant("w-13", "sleep");
        ProcessHandle.of(orphanChild).ifPresent(strays::add);

        // A stranger that got the pid of a worker from long ago: same pid file, but not that worker's environ.
        Process stranger = new ProcessBuilder("sleep", "60").start();
        strays.add(stranger.toHandle());
        Files.writeString(runDir.resolve("w-old.pid"), stranger.pid() + "\nw-old\n");
        Files.writeString(runDir.resolve("garbage.pid"), "not a pid\n");

        // The control plane "crashed": its runtime is dropped without close, a new one reaps over the same run dir.
        runtime = new LocalProcessRuntime(runDir, Duration.ofSeconds(2), HostSandbox.get());
        int killed = LocalProcessRuntime.reapOrphans(runDir);

        assertThat(killed).isEqualTo(1);
        waiting().until(() -> gone(orphan) && gone(orphanChild));
        assertThat(stranger.isAlive()).isTrue();
        assertThat(runDir).isEmptyDirectory();
        assertThat(LocalProcessRuntime.reapOrphans(tmp.resolve("no-such-dir"))).isZero();
    }

    @Test
    void explainsAMissingProgram() {
        var launch = new WorkerLaunch("w-1", "echo", 1, workDir, List.of("no-such-program-hearth", "x"), Map.of(),
                List.of(), logOf("w-1"));

        assertThatThrownBy(() -> start(launch))
                .isInstanceOf(WorkerStartException.class)
                .hasMessage("cannot start worker w-1 of function echo: program 'no-such-program-hearth' not found"
                        + " on the PATH");
        assertThat(runtime.isAlive("w-1")).isFalse();
    }

    @Test
    void explainsAMissingWorkDir() {
        Path missing = tmp.resolve("gone");
        var launch = new WorkerLaunch("w-1", "echo", 1, missing, List.of("sh"), Map.of(), List.of(), logOf("w-1"));

        assertThatThrownBy(() -> start(launch))
                .isInstanceOf(WorkerStartException.class)
                .hasMessage("cannot start worker w-1 of function echo: work dir " + missing + " does not exist");
    }

    @Test
    void explainsAProgramThatIsNotExecutable() throws IOException {
        Files.writeString(workDir.resolve("run.sh"), "echo hi\n", StandardCharsets.UTF_8);
        var launch = new WorkerLaunch("w-1", "echo", 1, workDir, List.of("./run.sh"), Map.of(), List.of(),
                logOf("w-1"));

        assertThatThrownBy(() -> start(launch))
                .isInstanceOf(WorkerStartException.class)
                .hasMessage("cannot start worker w-1 of function echo: program './run.sh' is not executable"
                        + " (permission denied)");
    }

    @Test
    void refusesASecondWorkerWithTheSameId() {
        start("w-14", "echo ready; exec sleep 60");

        assertThatThrownBy(() -> start("w-14", "true"))
                .isInstanceOf(WorkerStartException.class)
                .hasMessageContaining("already running");
    }
}
