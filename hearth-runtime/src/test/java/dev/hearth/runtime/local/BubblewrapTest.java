package dev.hearth.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.hearth.placement.ConfiguredGpuInventory;
import dev.hearth.placement.Gpu;
import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.WorkerMount;
import dev.hearth.runtime.WorkerStartException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workers in bubblewrap sandboxes: what they can and cannot see of the host and of each other. */
class BubblewrapTest {

    @TempDir
    Path tmp;

    Path data;
    Path bundle;
    Path volume;
    Path otherBundle;
    LocalProcessRuntime runtime;
    final Map<String, Integer> exits = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        assumeThat(HostSandbox.isBubblewrap()).as("bubblewrap works on this machine").isTrue();
        data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("hearth.db"), "every job's input");
        bundle = Files.createDirectories(data.resolve("bundles/mine"));
        Files.writeString(bundle.resolve("handler.py"), "mine");
        otherBundle = Files.createDirectories(data.resolve("bundles/theirs"));
        Files.writeString(otherBundle.resolve("handler.py"), "their code");
        volume = Files.createDirectories(data.resolve("volumes/weights"));
        Files.writeString(volume.resolve("w.bin"), "weights");
        runtime = new LocalProcessRuntime(data.resolve("run"), Duration.ofSeconds(2), HostSandbox.hiding(data));
    }

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
    }

    String run(String id, String script, List<WorkerMount> mounts, List<Gpu> gpus) {
        Path log = tmp.resolve("logs").resolve(id + ".log");
        runtime.start(new WorkerLaunch(id, "mine", 1, bundle, List.of("sh", "-c", script),
                Map.of("PATH", "/usr/bin:/bin", "HOME", "/home/worker"), gpus, log, mounts), exits::put);
        await().atMost(Duration.ofSeconds(10)).until(() -> exits.containsKey(id));
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    String run(String id, String script) {
        return run(id, script, List.of(WorkerMount.writable(volume)), List.of());
    }

    @Test
    void aWorkerReadsItsBundleAndVolumeAndWritesItsVolume() throws IOException {
        String out = run("w-1", "cat handler.py; echo; cat " + volume.resolve("w.bin") + "; echo; echo new > "
                + volume.resolve("out.txt") + " && echo wrote");

        assertThat(out).contains("mine\nweights\nwrote");
        assertThat(exits.get("w-1")).isZero();
        assertThat(Files.readString(volume.resolve("out.txt"))).isEqualTo("new\n");
    }

    @Test
    void aWorkerCannotWriteItsBundleOrAReadOnlyMount() {
        String out = run("w-2", "echo x > handler.py || echo bundle-refused; echo x > " + volume.resolve("x")
                + " || echo volume-refused", List.of(WorkerMount.readOnly(volume)), List.of());

        assertThat(out).contains("bundle-refused").contains("volume-refused");
    }

    @Test
    void aWorkerSeesNothingElseOfTheDataDir() {
        String out = run("w-3", "cat " + data.resolve("hearth.db") + " || echo no-db; cat "
                + otherBundle.resolve("handler.py") + " || echo no-other-bundle; ls " + data + "; ls "
                + data.resolve("bundles"));

        assertThat(out).contains("no-db").contains("no-other-bundle").doesNotContain("every job's input")
                .doesNotContain("their code");
    }

    @Test
    void aWorkerReadsTheSystemFilesOfEtcItIsShown() {
        // as nobody under a root server too: the loader's cache and /etc/alternatives' links (libblas.so.3 for torch)
        String out = run("w-etc", "head -c 5 /etc/passwd; echo; ls /etc/alternatives > /dev/null && echo alternatives");

        assertThat(out).contains("root:").contains("alternatives");
    }

    @Test
    void aWorkerSeesOnlyItsOwnProcesses() {
        String out = run("w-4", "ls /proc | grep -E '^[0-9]+$' | wc -l; cat /proc/1/cmdline | tr '\\0' ' '");

        // its own reaper, sh, and ls, grep and wc of the pipeline
        assertThat(Integer.parseInt(out.lines().findFirst().orElseThrow().strip())).isLessThanOrEqualTo(6);
        assertThat(out).contains("bwrap");
        assertThat(out).doesNotContain("java");
    }

    @Test
    void aWorkerCannotReadAnotherWorkersEnvironment() {
        Path log = tmp.resolve("logs").resolve("w-5.log");
        runtime.start(new WorkerLaunch("w-5", "theirs", 1, otherBundle, List.of("sh", "-c", "echo ready; sleep 60"),
                Map.of("PATH", "/usr/bin:/bin", "SECRET_TOKEN", "s3cret"), List.of(), log), exits::put);
        long other = runtime.pid("w-5").orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("ready"));

        String out = run("w-6", "cat /proc/" + other + "/environ || echo no-such-process; grep -l s3cret "
                + "/proc/*/environ || echo not-found");

        assertThat(out).doesNotContain("s3cret").contains("not-found");
    }

    @Test
    void aWorkerHasAPrivateTmpAndHome() throws IOException {
        Path hostTmpFile = Files.createTempFile("hearth-host-", ".txt");
        try {
            String out = run("w-7", "ls " + hostTmpFile + " || echo no-host-tmp; touch /tmp/x && echo tmp-ok; "
                    + "touch $HOME/x && echo home-ok; ls -A $HOME");

            assertThat(out).contains("no-host-tmp").contains("tmp-ok").contains("home-ok");
        } finally {
            Files.deleteIfExists(hostTmpFile);
        }
    }

    @Test
    void aHomeInsideTheHiddenDataDirIsStillTheWorkersOwn() {
        Path home = data.resolve("homes/w-13");
        Path log = tmp.resolve("logs").resolve("w-13.log");
        runtime.start(new WorkerLaunch("w-13", "mine", 1, bundle, List.of("sh", "-c",
                "touch $HOME/x && echo home-ok; ls " + data.resolve("hearth.db") + " || echo no-db"),
                Map.of("PATH", "/usr/bin:/bin", "HOME", home.toString()), List.of(), log), exits::put);
        await().atMost(Duration.ofSeconds(10)).until(() -> exits.containsKey("w-13"));

        assertThat(read(log)).contains("home-ok").contains("no-db");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRootServersWorkersRunAsNobodyWithoutCapabilities() {
        assumeThat(WorkerUser.currentUid()).as("the tests run as root").isZero();

        String out = run("w-8", "id -u; grep CapEff /proc/self/status");

        assertThat(out).contains("65534\n").contains("CapEff:\t0000000000000000");
    }

    @Test
    void theProgramsOwnInstallationIsShownReadOnly() throws IOException {
        Path prefix = Files.createDirectories(tmp.resolve("opt/tool/bin"));
        Path tool = prefix.resolve("hello");
        Files.writeString(tool, "#!/bin/sh\necho hello from $(dirname $0)\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path log = tmp.resolve("logs").resolve("w-9.log");

        runtime.start(new WorkerLaunch("w-9", "mine", 1, bundle, List.of(tool.toString()), Map.of(), List.of(), log),
                exits::put);
        await().atMost(Duration.ofSeconds(10)).until(() -> exits.containsKey("w-9"));

        assertThat(Files.readString(log)).contains("hello from " + prefix);
    }

    @Test
    void gpuWorkersGetTheNvidiaDeviceFilesAndCpuWorkersDoNot() {
        assumeThat(Files.exists(Path.of("/dev/nvidiactl"))).as("this machine has an NVIDIA driver").isTrue();
        List<Gpu> gpu = ConfiguredGpuInventory.parse("H100:1", "local").gpus();

        assertThat(run("w-10", "ls /dev/nvidiactl", List.of(), gpu)).contains("/dev/nvidiactl");
        assertThat(run("w-11", "ls /dev/nvidiactl || echo none", List.of(), List.of())).contains("none");
    }

    @Test
    void aMissingBubblewrapRefusesEveryStartAndSaysWhatToDo() {
        WorkerSandbox missing = Bubblewrap.probe("/no/such/bwrap", Optional.empty(), List.of(), List.of());
        runtime.close();
        runtime = new LocalProcessRuntime(data.resolve("run"), Duration.ofSeconds(2), missing);

        assertThat(missing).isInstanceOf(WorkerSandbox.Unavailable.class);
        assertThatThrownBy(() -> runtime.start(new WorkerLaunch("w-12", "mine", 1, bundle, List.of("true"), Map.of(),
                List.of(), tmp.resolve("w-12.log")), exits::put))
                .isInstanceOf(WorkerStartException.class)
                .hasMessageStartingWith("cannot start worker w-12 of function mine: bubblewrap (/no/such/bwrap) is "
                        + "not installed at that path")
                .hasMessageContaining("apt-get install bubblewrap")
                .hasMessageContaining("--unsafe-no-sandbox");
    }
}
