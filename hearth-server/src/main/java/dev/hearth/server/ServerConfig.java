package dev.hearth.server;

import dev.hearth.server.functions.BundleLimits;
import dev.hearth.server.envs.PipSettings;
import dev.hearth.server.http.EdgeLimits;
import dev.hearth.server.http.HttpEdge;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to run a control plane. Immutable; build with {@link #builder()}.
 *
 * @param host            the address to listen on
 * @param port            the port; 0 picks a free one (see {@link HearthServer#url()})
 * @param dataDir         where the SQLite store, code bundles, worker logs and the Python worker library live
 * @param gpus            {@code H100:4,A100:2} for a configured inventory (one node, {@code local}), per node
 *                        {@code node-a=H100:4;node-b=A100:2}, {@code none} for none, null to detect GPUs with
 *                        nvidia-smi
 * @param apiKey          the API key to accept; null keeps the stored one, or generates one at first start
 * @param python          the Python interpreter for python-runtime workers
 * @param resultRetention how long final jobs (and their results) are kept
 * @param workerGrace     how long a stopping worker may finish in-flight jobs before SIGKILL
 * @param pingInterval    how often workers send heartbeats; a lease lasts three intervals
 * @param webhookRetryDelay how long to wait before delivering a webhook again after a failed attempt (doubling
 *                        for each later attempt)
 * @param webhookSecret   the webhook signing secret ({@code whsec_...}); null keeps the stored one, or generates one
 *                        at first start
 * @param otlpEndpoint    where to export OpenTelemetry traces of jobs (OTLP/HTTP, e.g. {@code http://127.0.0.1:4318});
 *                        null exports none
 * @param auditRetention  how long audit log entries are kept
 * @param webhookAllow    address ranges ({@code 10.0.0.0/8}) that webhooks may reach although they are not public;
 *                        empty refuses every loopback, link-local and private address
 * @param volumeMaxUpload the most bytes one file uploaded into a volume may have
 * @param bundleLimits    how much an uploaded code bundle may unpack to
 * @param workerLogMax    the most bytes of output one worker's log keeps (it rotates, keeping the latest)
 * @param functionLogMax  the most bytes the logs of one function's workers keep together; logs of workers that are
 *                        gone are deleted oldest first beyond it, and after {@code resultRetention} anyway
 * @param pip             how pip builds functions' Python environments (index, wheel directory, more arguments)
 * @param secretKey       the key that seals secrets (base64 of 32 bytes); null keeps the one in
 *                        {@code <dataDir>/secret.key}, or generates it there at first start
 * @param workerEnvPassthrough variables of the server's environment that workers get besides PATH, HOME, LANG and TZ
 * @param slurm           run workers as jobs of this Slurm cluster; null runs them as local processes
 * @param edgeLimits      the HTTP edge's deadlines and connection caps
 * @param tls             the certificate and key to serve HTTPS with; null serves plain HTTP
 * @param storeUrl        the PostgreSQL store, {@code postgresql://user@host:5432/db}; null for SQLite in the data dir
 * @param crashLoopThreshold workers of a function version in a row that exit before asking for their first job
 *                        before the version is marked crash looping (its queued jobs fail, new ones are refused)
 * @param sandbox         how local workers are confined: bubblewrap, as which user, with which more directories
 * @param kubernetes      run workers as Pods of this Kubernetes cluster; null runs them as local processes (or Slurm
 *                        jobs)
 * @param minFreeDisk     the free bytes kept on the data dir's file system: below them new jobs and deploys are refused
 *                        (507); 0 keeps none
 */
public record ServerConfig(String host, int port, Path dataDir, String gpus, String apiKey, String python,
                           Duration resultRetention, Duration workerGrace, Duration pingInterval,
                           Duration webhookRetryDelay, String webhookSecret, String otlpEndpoint,
                           java.util.List<String> webhookAllow, Duration auditRetention, long volumeMaxUpload,
                           BundleLimits bundleLimits, long workerLogMax, long functionLogMax, PipSettings pip,
                           String secretKey, List<String> workerEnvPassthrough, SlurmSettings slurm,
                           EdgeLimits edgeLimits, HttpEdge.Tls tls, String storeUrl,
                           int crashLoopThreshold, dev.hearth.server.workers.SandboxSettings sandbox,
                           dev.hearth.server.http.Edge.Factory edge, KubernetesSettings kubernetes,
                           long minFreeDisk) {

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(python, "python");
        Objects.requireNonNull(resultRetention, "resultRetention");
        Objects.requireNonNull(workerGrace, "workerGrace");
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(webhookRetryDelay, "webhookRetryDelay");
        webhookAllow = java.util.List.copyOf(webhookAllow);
        Objects.requireNonNull(auditRetention, "auditRetention");
        if (volumeMaxUpload <= 0) {
            throw new IllegalArgumentException("volumeMaxUpload must be more than 0, got " + volumeMaxUpload);
        }
        Objects.requireNonNull(bundleLimits, "bundleLimits");
        if (workerLogMax < 2 || functionLogMax < 1) {
            throw new IllegalArgumentException("log caps must be positive, got " + workerLogMax + " and "
                    + functionLogMax);
        }
        pip = pip == null ? PipSettings.NONE : pip;
        edgeLimits = edgeLimits == null ? EdgeLimits.DEFAULT : edgeLimits;
        edge = edge == null ? dev.hearth.server.http.Edge.JETTY : edge;
        workerEnvPassthrough = workerEnvPassthrough == null ? List.of() : List.copyOf(workerEnvPassthrough);
        storeUrl = storeUrl == null || storeUrl.isBlank() ? null : storeUrl.strip();
        if (crashLoopThreshold < 1) {
            throw new IllegalArgumentException("crashLoopThreshold must be at least 1, got " + crashLoopThreshold);
        }
        sandbox = sandbox == null ? dev.hearth.server.workers.SandboxSettings.DEFAULT : sandbox;
        if (minFreeDisk < 0) {
            throw new IllegalArgumentException("minFreeDisk must be 0 or more bytes, got " + minFreeDisk);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
    }

    /** One file in a volume: 50 GiB, room for the largest single weight files in common use. */
    public static final long DEFAULT_VOLUME_MAX_UPLOAD = 50L << 30;

    /** Workers in a row that die before their first job before their version counts as crash looping. */
    public static final int DEFAULT_CRASH_LOOP_THRESHOLD = 3;

    /**
     * Free space kept on the data dir's file system: 1 GiB, room for the store to go on writing the leases, results
     * and timelines of the jobs already accepted (about 2 KB a job) and for a few deploys' bundles.
     */
    public static final long DEFAULT_MIN_FREE_DISK = 1L << 30;

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().host(host).port(port).dataDir(dataDir).gpus(gpus).apiKey(apiKey).python(python)
                .resultRetention(resultRetention).workerGrace(workerGrace).pingInterval(pingInterval)
                .webhookRetryDelay(webhookRetryDelay).webhookSecret(webhookSecret)
                .otlpEndpoint(otlpEndpoint).webhookAllow(webhookAllow).auditRetention(auditRetention)
                .volumeMaxUpload(volumeMaxUpload)
                .bundleLimits(bundleLimits)
                .workerLogMax(workerLogMax).functionLogMax(functionLogMax)
                .pip(pip)
                .secretKey(secretKey).workerEnvPassthrough(workerEnvPassthrough).slurm(slurm)
                .edgeLimits(edgeLimits).tls(tls)
                .storeUrl(storeUrl)
                .crashLoopThreshold(crashLoopThreshold)
                .sandbox(sandbox)
                .edge(edge)
                .kubernetes(kubernetes)
                .minFreeDisk(minFreeDisk);
    }

    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8420;
        private Path dataDir = Path.of(".hearth");
        private String gpus;
        private String apiKey;
        private String python = "python3";
        private Duration resultRetention = Duration.ofHours(24);
        private Duration workerGrace = Duration.ofSeconds(30);
        private Duration pingInterval = Duration.ofSeconds(2);
        private Duration webhookRetryDelay = Duration.ofSeconds(10);
        private String webhookSecret;
        private String otlpEndpoint;
        private java.util.List<String> webhookAllow = java.util.List.of();
        private Duration auditRetention = Duration.ofDays(365);
        private long volumeMaxUpload = DEFAULT_VOLUME_MAX_UPLOAD;
        private BundleLimits bundleLimits = BundleLimits.DEFAULT;
        private long workerLogMax = 100L << 20;
        private long functionLogMax = 1L << 30;
        private PipSettings pip = PipSettings.NONE;
        private String secretKey;
        private List<String> workerEnvPassthrough = List.of();
        private SlurmSettings slurm;
        private KubernetesSettings kubernetes;
        private long minFreeDisk = DEFAULT_MIN_FREE_DISK;
        private EdgeLimits edgeLimits = EdgeLimits.DEFAULT;
        private HttpEdge.Tls tls;
        private String storeUrl;
        private int crashLoopThreshold = DEFAULT_CRASH_LOOP_THRESHOLD;
        private dev.hearth.server.workers.SandboxSettings sandbox = dev.hearth.server.workers.SandboxSettings.DEFAULT;
        private dev.hearth.server.http.Edge.Factory edge = dev.hearth.server.http.Edge.JETTY;

        private Builder() {
        }

        /** The PostgreSQL store ({@code postgresql://user@host:5432/db}); null keeps SQLite in the data dir. */
        public Builder storeUrl(String storeUrl) {
            this.storeUrl = storeUrl;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder gpus(String gpus) {
            this.gpus = gpus;
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder python(String python) {
            this.python = python;
            return this;
        }

        public Builder resultRetention(Duration resultRetention) {
            this.resultRetention = resultRetention;
            return this;
        }

        public Builder workerGrace(Duration workerGrace) {
            this.workerGrace = workerGrace;
            return this;
        }

        public Builder pingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
            return this;
        }

        public Builder webhookRetryDelay(Duration webhookRetryDelay) {
            this.webhookRetryDelay = webhookRetryDelay;
            return this;
        }

        public Builder webhookSecret(String webhookSecret) {
            this.webhookSecret = webhookSecret;
            return this;
        }

        public Builder auditRetention(Duration auditRetention) {
            this.auditRetention = auditRetention;
            return this;
        }

        public Builder webhookAllow(java.util.List<String> webhookAllow) {
            this.webhookAllow = webhookAllow;
            return this;
        }

        public Builder otlpEndpoint(String otlpEndpoint) {
            this.otlpEndpoint = otlpEndpoint == null || otlpEndpoint.isBlank() ? null : otlpEndpoint.strip();
            return this;
        }

        public Builder volumeMaxUpload(long volumeMaxUpload) {
            this.volumeMaxUpload = volumeMaxUpload;
            return this;
        }

        public Builder bundleLimits(BundleLimits bundleLimits) {
            this.bundleLimits = bundleLimits;
            return this;
        }

        public Builder workerLogMax(long bytes) {
            this.workerLogMax = bytes;
            return this;
        }

        public Builder functionLogMax(long bytes) {
            this.functionLogMax = bytes;
            return this;
        }

        public Builder pip(PipSettings pip) {
            this.pip = pip;
            return this;
        }

        public Builder secretKey(String secretKey) {
            this.secretKey = secretKey;
            return this;
        }

        public Builder workerEnvPassthrough(List<String> names) {
            this.workerEnvPassthrough = names;
            return this;
        }

        public Builder slurm(SlurmSettings slurm) {
            this.slurm = slurm;
            return this;
        }

        public Builder kubernetes(KubernetesSettings kubernetes) {
            this.kubernetes = kubernetes;
            return this;
        }

        /** How local workers are confined; {@link dev.hearth.server.workers.SandboxSettings#DEFAULT} unless set. */
        public Builder sandbox(dev.hearth.server.workers.SandboxSettings sandbox) {
            this.sandbox = sandbox;
            return this;
        }

        /** Deadlines and connection caps of the HTTP edge (tests shorten them). */
        public Builder edgeLimits(EdgeLimits edgeLimits) {
            this.edgeLimits = edgeLimits;
            return this;
        }

        /** Serve HTTPS with this certificate and key; null (the default) serves plain HTTP. */
        public Builder tls(HttpEdge.Tls tls) {
            this.tls = tls;
            return this;
        }

        public Builder crashLoopThreshold(int workersInARow) {
            this.crashLoopThreshold = workersInARow;
            return this;
        }

        /**
         * The HTTP server in front of the routes (Jetty's {@link dev.hearth.server.http.HttpEdge} unless told
         * otherwise: the benchmarks put Helidon's in its place to compare the two).
         */
        public Builder edge(dev.hearth.server.http.Edge.Factory edge) {
            this.edge = edge;
            return this;
        }

        /** Free bytes kept on the data dir's file system ({@link #DEFAULT_MIN_FREE_DISK} unless set; 0: none). */
        public Builder minFreeDisk(long bytes) {
            this.minFreeDisk = bytes;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(host, port, dataDir, gpus, apiKey, python, resultRetention, workerGrace,
                    pingInterval, webhookRetryDelay, webhookSecret, otlpEndpoint, webhookAllow,
                    auditRetention, volumeMaxUpload, bundleLimits, workerLogMax,
                    functionLogMax, pip, secretKey, workerEnvPassthrough, slurm, edgeLimits, tls,
                    storeUrl, crashLoopThreshold, sandbox, edge, kubernetes, minFreeDisk);
        }
    }
}
