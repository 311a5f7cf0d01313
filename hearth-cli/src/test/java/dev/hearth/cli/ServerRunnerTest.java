package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What serve and up leave in client.json, against a real in-process server. */
class ServerRunnerTest {

    @TempDir
    Path dir;

    private ServerRunner.Started start(Map<String, String> env) {
        return start(env, new ServerOptions());
    }

    private ServerRunner.Started start(Map<String, String> env, ServerOptions o) {
        o.host = "127.0.0.1";
        o.port = 0;
        o.dataDir = Path.of("data");
        o.gpus = "H100:1";
        o.python = "python3";
        Context ctx = new Context(env, dir, new ByteArrayInputStream(new byte[0]), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()));
        return ServerRunner.start(o, ctx);
    }

    @Test
    void aFirstStartStoresTheNewKeyOwnerOnlyAndLaterStartsOnlyMoveTheUrl() throws Exception {
        Path file = dir.resolve("data/client.json");
        String key;
        try (var first = start(Map.of()).server()) {
            key = first.newApiKey().orElseThrow();
            assertThat(ClientConfig.read(file)).isEqualTo(new ClientConfig(first.url(), key));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }

        ServerRunner.Started second = start(Map.of());
        try (var server = second.server()) {
            assertThat(server.newApiKey()).isEmpty();
            assertThat(second.keyOrigin()).isEqualTo(ServerRunner.KeyOrigin.CLIENT_FILE);
            assertThat(second.apiKey()).isEqualTo(key);
            assertThat(ClientConfig.read(file)).isEqualTo(new ClientConfig(server.url(), key));
        }
    }

    @Test
    void aKeyFromTheEnvironmentIsStoredAndAccepted() throws Exception {
        ServerRunner.Started s = start(Map.of("HEARTH_API_KEY", "my-own-key"));
        try (var server = s.server()) {
            assertThat(s.keyOrigin()).isEqualTo(ServerRunner.KeyOrigin.ENVIRONMENT);
            assertThat(ClientConfig.read(dir.resolve("data/client.json")))
                    .isEqualTo(new ClientConfig(server.url(), "my-own-key"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data/client.json"))))
                    .isEqualTo("rw-------");
            Cli.Result r = new Cli(Map.of(), dir).run("ls", "--data-dir", "data");
            assertThat(r.code()).as(r.err()).isZero();
        }
    }

    @Test
    void aSecretKeyFromTheEnvironmentSealsSecretsAndNoKeyFileIsWritten() {
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        try (var server = start(Map.of("HEARTH_SECRET_KEY", key)).server()) {
            Cli.Result r = new Cli(Map.of(), dir).run("secret", "set", "hf-token", "HF_TOKEN=x", "--data-dir", "data");
            assertThat(r.code()).as(r.err()).isZero();
        }
        assertThat(dir.resolve("data/secret.key")).doesNotExist();
    }

    @Test
    void aSecretKeyThatIsNot32BytesOfBase64StopsTheStartSayingHowToMakeOne() {
        assertThatThrownBy(() -> start(Map.of("HEARTH_SECRET_KEY", "c2hvcnQ=")))
                .isInstanceOf(CliException.class).hasMessageContaining("HEARTH_SECRET_KEY")
                .hasMessageContaining("openssl rand -base64 32");
    }

    @Test
    void aWorkerEnvPassthroughThatIsNoVariableNameIsAUsageError() {
        ServerOptions o = new ServerOptions();
        o.workerEnvPassthrough = java.util.List.of("LD_LIBRARY_PATH", "NOT-A-NAME");
        assertThatThrownBy(() -> start(Map.of(), o)).isInstanceOf(CliException.class)
                .hasMessageContaining("'NOT-A-NAME' is not a variable name");
    }

    @Test
    void anUnknownRuntimeIsAUsageErrorNamingTheKnownOnes() {
        ServerOptions o = new ServerOptions();
        o.runtime = "nomad";
        assertThatThrownBy(() -> start(Map.of(), o)).isInstanceOf(CliException.class)
                .hasMessageContaining("--runtime: expected 'local', 'slurm' or 'kubernetes', got 'nomad'");
    }

    @Test
    void kubernetesOptionsNeedTheKubernetesRuntime() {
        ServerOptions o = new ServerOptions();
        o.namespace = "gpu-team";
        assertThatThrownBy(() -> start(Map.of(), o)).isInstanceOf(CliException.class)
                .hasMessageContaining("need --runtime kubernetes");
    }

    @Test
    void theKubernetesRuntimeTakesItsGpusFromTheClusterNotFromGpus() {
        ServerOptions o = new ServerOptions();
        o.runtime = "kubernetes";
        assertThatThrownBy(() -> start(Map.of(), o)).isInstanceOf(CliException.class)
                .hasMessageContaining("--gpus is not used with --runtime kubernetes");
    }

    @Test
    void aKubernetesWorkerUrlMustBeAnHttpUrl() {
        ServerOptions o = withoutGpus(new ServerOptions());
        o.runtime = "kubernetes";
        o.gpus = null;
        o.kubernetesWorkerUrl = "hearth.svc:8420";
        assertThatThrownBy(() -> ServerRunner.start(o, new Context(Map.of(), dir,
                new ByteArrayInputStream(new byte[0]), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter())))).isInstanceOf(CliException.class)
                .hasMessageContaining("--kubernetes-worker-url: expected http(s)://HOST[:PORT]");
    }

    @Test
    void theKubernetesRuntimeSaysWhenTheApiServerCannotBeReached() throws Exception {
        ServerOptions o = withoutGpus(new ServerOptions());
        o.runtime = "kubernetes";
        o.gpus = null;
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        o.kubeconfig = dir.resolve("kubeconfig");
        java.nio.file.Files.writeString(o.kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "http://127.0.0.1:%d"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                current-context: x
                """.formatted(closed));
        assertThatThrownBy(() -> ServerRunner.start(o, new Context(Map.of(), dir,
                new ByteArrayInputStream(new byte[0]), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter())))).isInstanceOf(CliException.class)
                .hasMessageContaining("--runtime kubernetes: cannot read the cluster's nodes");
    }

    @Test
    void slurmOptionsNeedTheSlurmRuntime() {
        ServerOptions o = new ServerOptions();
        o.slurmPartition = "gpu";
        assertThatThrownBy(() -> start(Map.of(), o)).isInstanceOf(CliException.class)
                .hasMessageContaining("need --runtime slurm");
    }

    @Test
    void theSlurmRuntimeTakesItsGpusFromTheClusterNotFromGpus() {
        ServerOptions o = new ServerOptions();
        o.runtime = "slurm";
        assertThatThrownBy(() -> start(Map.of(), o)).isInstanceOf(CliException.class)
                .hasMessageContaining("--gpus is not used with --runtime slurm");
    }

    @Test
    void theSlurmRuntimeSaysWhenTheClusterCannotBeReached() {
        ServerOptions o = new ServerOptions();
        o.runtime = "slurm";
        o.slurmConf = dir.resolve("no-such-slurm.conf");
        assertThatThrownBy(() -> {
            o.gpus = null;
            ServerRunner.start(withoutGpus(o), new Context(Map.of(), dir, new ByteArrayInputStream(new byte[0]),
                    new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
        }).isInstanceOf(CliException.class).hasMessageContaining("--runtime slurm: cannot reach the Slurm cluster");
    }

    private static ServerOptions withoutGpus(ServerOptions o) {
        o.host = "127.0.0.1";
        o.port = 0;
        o.dataDir = Path.of("data");
        o.python = "python3";
        return o;
    }

    @Test
    void theGpuInventoryIsDescribed() {
        ServerRunner.Started s = start(Map.of());
        try (var server = s.server()) {
            assertThat(ServerRunner.describe(server.gpus())).isEqualTo("1x H100");
        }
        assertThat(ServerRunner.describe(dev.hearth.placement.ConfiguredGpuInventory
                .parse("node-a=H100:2;node-b=H100,A100", "local").gpus()))
                .isEqualTo("node-a: 2x H100; node-b: 1x H100, 1x A100");
    }
}
