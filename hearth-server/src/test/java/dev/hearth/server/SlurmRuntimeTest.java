package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.runtime.slurm.SlurmCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --runtime slurm} against a real Slurm cluster: the three-node cluster with fake GPUs that
 * {@code .ci/slurm/slurm-up.sh} starts on this machine (n1: 4 H100, n2: 2 A100, n3: 1 L4). Its {@code slurm.conf}
 * comes from {@code HEARTH_TEST_SLURM_CONF} (.ci/run sets it), else {@code /tmp/hearth-slurm/slurm.conf}; the tests
 * are skipped, saying so, where no such cluster answers.
 */
class SlurmRuntimeTest {

    static final Path CONF = Path.of(System.getenv().getOrDefault("HEARTH_TEST_SLURM_CONF",
            "/tmp/hearth-slurm/slurm.conf"));

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("slurm-gpu", "slurm-fallback", "slurm-l4").onGpus(null)
            .configured(b -> b.slurm(new SlurmSettings("gpu", CONF, null)));

    private final List<String> foreignJobs = new ArrayList<>();
    private final List<String> restartNodes = new ArrayList<>();

    @BeforeAll
    static void aSlurmClusterAnswers() {
        assumeTrue(Files.isRegularFile(CONF) && new SlurmCli(CONF).answers(),
                "no Slurm cluster answers with " + CONF + ": start one with .ci/slurm/slurm-up.sh (as root, "
                        + "needs slurm-wlm and munge) and set HEARTH_TEST_SLURM_CONF to its slurm.conf");
    }

    @AfterEach
    void cancelForeignJobs() {
        foreignJobs.forEach(id -> slurm("scancel", id));
        for (String node : restartNodes) {
            slurm("slurmd", "-N", node);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                slurm("scontrol", "update", "NodeName=" + node, "State=RESUME");
                return slurm("sinfo", "-h", "-n", node, "-o", "%t").strip().equals("idle");
            });
        }
        for (String node : List.of("n1", "n2", "n3")) {
            slurm("scontrol", "update", "NodeName=" + node, "State=RESUME");
        }
    }

    @Test
    void aFunctionsWorkerRunsAsASlurmJobWithTheGpusSlurmChose() {
        String id = hearth.run("slurm-gpu", "{}");

        JsonNode done = hearth.awaitFinal("slurm-gpu", id);

        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        JsonNode out = done.get("output");
        assertThat(out.get("node").asText()).isEqualTo("n1"); // the only node with H100s
        String job = out.get("slurm_job_id").asText();
        Map<String, String> slurmJob = squeueJob(job);
        assertThat(slurmJob.get("name")).isEqualTo("hearth-" + done.get("workerId").asText());
        // Slurm's choice of the node's GPUs, as Slurm reports it, is what the worker sees and hearth workers shows
        String devices = slurmJob.get("devices");
        assertThat(out.get("cuda_visible_devices").asText()).isEqualTo(devices).matches("\\d,\\d");
        assertThat(out.get("gpu_ids").asText()).isEqualTo(devices);
        JsonNode worker = worker(done.get("workerId").asText());
        assertThat(worker.get("node").asText()).isEqualTo("n1");
        assertThat(worker.get("scheduler").get("job").asText()).isEqualTo(job);
        assertThat(List.of(worker.get("gpus").get(0).asText(), worker.get("gpus").get(1).asText()))
                .containsExactlyElementsOf(List.of(devices.split(",")).stream().map(i -> "H100:" + i).toList());
        // the bootstrap fetched the bundle into the node's cache rather than using the control plane's copy
        assertThat(out.get("cwd").asText()).doesNotStartWith(hearth.dataDir().toString());
    }

    @Test
    void aSlurmWorkersOutputReachesItsJobsLogsAndTheWorkersLogOverTheWorkerProtocol() {
        String id = hearth.run("slurm-gpu", "{\"say\": \"hello from the node\"}");
        JsonNode done = hearth.awaitFinal("slurm-gpu", id);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");

        // the worker synced its output before it reported the job done: the job's slice holds all of it
        JsonNode logs = hearth.get("/v1/jobs/" + id + "/logs").json();
        assertThat(logs.get("segments")).hasSize(1);
        assertThat(lines(logs.get("segments").get(0).get("lines")))
                .containsSubsequence("stdout: hello from the node", "stderr: hello from the node");
        String worker = done.get("workerId").asText();
        assertThat(lines(hearth.get("/v1/workers/" + worker + "/logs").json().get("lines")))
                .anyMatch(l -> l.startsWith("hearth bootstrap: job " + done.get("output").get("slurm_job_id")
                        .asText() + " on n1"));
        assertThat(hearth.get("/v1/functions/slurm-gpu/logs").body()).contains("stdout: hello from the node");
    }

    private static List<String> lines(JsonNode array) {
        List<String> lines = new ArrayList<>();
        array.forEach(l -> lines.add(l.asText()));
        return lines;
    }

    @Test
    void aGpuFallbackListIsTriedInOrderAcrossTheClustersNodeTypes() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(hearth.run("slurm-fallback", "{\"seconds\": 10}"));
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> busyWorkers("slurm-fallback").size() == 3);

        // the one L4 first (n3), then the A100s of n2
        assertThat(busyWorkers("slurm-fallback").stream().map(w -> w.get("node").asText() + " "
                + w.get("gpus").get(0).asText().replaceAll(":.*", "")).sorted())
                .containsExactly("n2 A100", "n2 A100", "n3 L4");
        ids.forEach(id -> assertThat(hearth.awaitFinal("slurm-fallback", id).get("status").asText())
                .isEqualTo("COMPLETED"));
    }

    private List<JsonNode> busyWorkers(String function) {
        List<JsonNode> busy = new ArrayList<>();
        hearth.get("/v1/workers?function=" + function).json().get("workers").forEach(w -> {
            if (w.get("inFlight").asInt() > 0) {
                busy.add(w);
            }
        });
        return busy;
    }

    @Test
    void scaleToZeroCancelsTheWorkersSlurmJobs() {
        String id = hearth.run("slurm-gpu", "{}");
        JsonNode done = hearth.awaitFinal("slurm-gpu", id);
        String job = done.get("output").get("slurm_job_id").asText();

        // idleTimeout 1 s: the worker drains, gets SIGTERM through scancel, and its job ends
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("slurm-gpu") == 0);

        assertThat(squeueJob(job).get("state")).isIn("COMPLETED", "CANCELLED", "FAILED");
        assertThat(ourActiveJobs()).isEmpty();
    }

    @Test
    void gpusThatAnotherUsersSlurmJobHoldsAreNotPlacedOnTheFallbackTypeIsUsed() {
        foreignJobs.add(sbatch("--gres=gpu:l4:1", "--wrap=sleep 60"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(squeueJob(foreignJobs.getFirst())
                .get("state")));
        // Hearth re-reads the cluster every few seconds: the L4 shows as held outside it
        await().atMost(Duration.ofSeconds(10)).until(() -> node("n3").get("gpusFree").asInt() == 0
                && node("n3").get("gpus").get(0).path("heldOutside").asBoolean());

        String id = hearth.run("slurm-fallback", "{}");

        JsonNode done = hearth.awaitFinal("slurm-fallback", id);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.get("output").get("node").asText()).isEqualTo("n2"); // an A100, not the held L4
    }

    @Test
    void aFunctionWhoseOnlyGpuTypeIsHeldOutsideHearthWaitsSayingSoAndStartsOnceItIsFree() {
        foreignJobs.add(sbatch("--gres=gpu:l4:1", "--wrap=sleep 120"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(squeueJob(foreignJobs.getFirst())
                .get("state")));
        await().atMost(Duration.ofSeconds(10)).until(() -> node("n3").get("gpusFree").asInt() == 0);

        String id = hearth.run("slurm-l4", "{}");

        await().atMost(Duration.ofSeconds(20)).until(() -> hearth.status("slurm-l4", id).path("reason").asText()
                .contains("held by the cluster's jobs outside Hearth"));
        assertThat(ourActiveJobs()).isEmpty(); // nothing submitted to wait behind the other job
        slurm("scancel", foreignJobs.getFirst());
        assertThat(hearth.awaitFinal("slurm-l4", id).get("status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void aJobSlurmCannotPlaceWaitsWithSlurmsReason() {
        // another job holds all of n3's CPUs but not its L4: Hearth places the worker there, Slurm queues it
        foreignJobs.add(sbatch("--nodelist=n3", "--cpus-per-task=8", "--wrap=sleep 120"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(squeueJob(foreignJobs.getFirst())
                .get("state")));

        String id = hearth.run("slurm-l4", "{}");

        await().atMost(Duration.ofSeconds(20)).until(() -> hearth.status("slurm-l4", id).path("reason").asText()
                .contains("Resources"));
        slurm("scancel", foreignJobs.getFirst());
        assertThat(hearth.awaitFinal("slurm-l4", id).get("status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void hearthNodeDrainDrainsTheSlurmNodeAndANodeDrainedInSlurmIsDrainedInHearth() {
        hearth.post("/v1/nodes/n1/drain?grace=1s", "");

        assertThat(slurm("sinfo", "-h", "-n", "n1", "-o", "%t").strip()).startsWith("drain");

        slurm("scontrol", "update", "NodeName=n2", "State=DRAIN", "Reason=maintenance");
        await().atMost(Duration.ofSeconds(20)).until(() -> nodeState("n2").equals("DRAINED"));
        slurm("scontrol", "update", "NodeName=n2", "State=RESUME");
        await().atMost(Duration.ofSeconds(20)).until(() -> nodeState("n2").equals("ACTIVE"));
        hearth.post("/v1/nodes/n1/undrain", "");
        // "idle*" for a moment after the resume, until the node's slurmd answers the controller again
        await().atMost(Duration.ofSeconds(20)).until(() -> slurm("sinfo", "-h", "-n", "n1", "-o", "%t").strip()
                .startsWith("idle"));
    }

    @Test
    void aJobWhoseNodeDiesCompletesOnAnotherNode() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "killing a slurmd (a node's death) needs root, as the cluster of .ci/slurm runs as root");
        String id = hearth.run("slurm-fallback", "{\"seconds\": 8}");
        await().atMost(Duration.ofSeconds(60)).until(() -> busyWorkers("slurm-fallback").size() == 1);
        JsonNode first = busyWorkers("slurm-fallback").getFirst();
        assertThat(first.get("node").asText()).isEqualTo("n3"); // the L4, first in the fallback list

        killNode("n3", first.get("scheduler").get("job").asText());

        JsonNode done = hearth.awaitFinal("slurm-fallback", id);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.get("output").get("node").asText()).isEqualTo("n2");
        await().atMost(Duration.ofSeconds(30)).until(() -> !nodeState("n3").equals("ACTIVE"));
    }

    /**
     * What the death of the machine would do: its slurmd and the job's processes (slurmstepd and the worker) are
     * killed; Slurm marks the node down after its SlurmdTimeout. The node's slurmd is started again after the test.
     */
    private void killNode(String node, String job) throws Exception {
        Path dir = CONF.getParent();
        restartNodes.add(node);
        long slurmd = Long.parseLong(Files.readString(dir.resolve("slurmd-" + node + ".pid")).strip());
        ProcessHandle.of(slurmd).ifPresent(ProcessHandle::destroyForcibly);
        // slurmstepd names itself "slurmstepd: [<job>.batch]" in its argv, which only pgrep -f sees
        List<String> steps = slurm("pgrep", "-f", "slurmstepd: \\[" + job + "\\.batch\\]").lines().toList();
        assertThat(steps).as("the job's slurmstepd").isNotEmpty();
        for (String pid : steps) {
            ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
        }
    }

    private String nodeState(String node) {
        return node(node).get("state").asText();
    }

    private JsonNode node(String node) {
        for (JsonNode n : hearth.get("/v1/nodes").json().get("nodes")) {
            if (n.get("name").asText().equals(node)) {
                return n;
            }
        }
        throw new AssertionError("no node " + node);
    }

    private JsonNode worker(String id) {
        for (JsonNode w : hearth.get("/v1/workers").json().get("workers")) {
            if (w.get("id").asText().equals(id)) {
                return w;
            }
        }
        throw new AssertionError("no worker " + id);
    }

    /** Jobs of this test's control plane that Slurm still runs or queues. */
    private List<String> ourActiveJobs() {
        String id = read(hearth.dataDir().resolve("control-plane-id"));
        return List.of(slurm("squeue", "-h", "-o", "%i|%k|%T").split("\n")).stream()
                .filter(l -> l.contains("|hearth:" + id + ":")).toList();
    }

    private static Map<String, String> squeueJob(String job) {
        String[] f = slurm("squeue", "-h", "-t", "all", "-j", job, "-o", "%j|%T|%b").strip().split("\\|");
        String devices = slurm("scontrol", "show", "job", "-d", job).lines()
                .filter(l -> l.contains("IDX:")).findFirst().map(l -> l.replaceAll(".*IDX:([^)]*)\\).*", "$1"))
                .orElse("");
        String expanded = List.of(devices.split(",")).stream().flatMap(p -> {
            String[] r = p.split("-");
            return r.length == 2 ? java.util.stream.IntStream.rangeClosed(Integer.parseInt(r[0]),
                    Integer.parseInt(r[1])).mapToObj(Integer::toString) : java.util.stream.Stream.of(p);
        }).collect(Collectors.joining(","));
        return Map.of("name", f[0], "state", f[1], "devices", expanded);
    }

    private static String sbatch(String... args) {
        List<String> command = new ArrayList<>(List.of("sbatch", "--parsable", "--output=/dev/null"));
        command.addAll(List.of(args));
        return slurm(command.toArray(String[]::new)).strip();
    }

    static String slurm(String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("SLURM_CONF", CONF.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
