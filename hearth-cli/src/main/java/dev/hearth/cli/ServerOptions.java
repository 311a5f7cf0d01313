package dev.hearth.cli;

import dev.hearth.server.ServerConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How to run the server; shared by {@code serve} and {@code up}. */
final class ServerOptions {

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8420", paramLabel = "PORT",
            description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", defaultValue = ".hearth", paramLabel = "DIR",
            description = "Store, code bundles, worker logs and client.json (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--store", paramLabel = "URL",
            description = "Keep jobs, functions and settings in PostgreSQL, e.g. postgresql://hearth@db:5432/hearth "
                    + "(?schema=NAME for another schema than hearth; default: $HEARTH_STORE_URL, else SQLite in the "
                    + "data dir).")
    String store;

    @Option(names = "--advertise-url", paramLabel = "URL",
            description = "Run as one of several control-plane nodes sharing the --store (PostgreSQL): the URL the "
                    + "other nodes reach this one at (one leads, the others pass calls on to it and take over when it "
                    + "is gone).")
    String advertiseUrl;

    @Option(names = "--gpus", paramLabel = "SPEC",
            description = "GPU inventory, e.g. H100:4,A100:2, per node \"node-a=H100:4;node-b=A100:2\", "
                    + "or 'none' (default: detect with nvidia-smi).")
    String gpus;

    @Option(names = "--runtime", defaultValue = "local", paramLabel = "RUNTIME",
            description = "Where workers run: 'local' (processes of this machine), 'slurm' (one Slurm job per "
                    + "worker, GPUs from the cluster's GRES) or 'kubernetes' (one Pod per worker, GPUs from the "
                    + "nodes' nvidia.com/gpu); --gpus is then not used (default: ${DEFAULT-VALUE}).")
    String runtime;

    @Option(names = "--namespace", paramLabel = "NAME",
            description = "With --runtime kubernetes: the namespace of the workers' pods and secrets (default: "
                    + "hearth).")
    String namespace;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "With --runtime kubernetes: the kubeconfig of the API server (default: the cluster this "
                    + "server runs in, else $KUBECONFIG or ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--kubernetes-image", paramLabel = "IMAGE",
            description = "With --runtime kubernetes: the workers' image where the manifest has no 'image:'; it "
                    + "must have python3 (default: python:3.12-slim).")
    String kubernetesImage;

    @Option(names = "--kubernetes-worker-url", paramLabel = "URL",
            description = "With --runtime kubernetes: where the pods reach this server, e.g. "
                    + "http://hearth.hearth.svc:8420 (default: the URL it serves at).")
    String kubernetesWorkerUrl;

    @Option(names = "--kubernetes-control-plane-id", paramLabel = "ID",
            description = "With --runtime kubernetes: the label value that marks this server's pods, shared by "
                    + "replicas that take over from each other (default: an id kept in the data dir).")
    String kubernetesControlPlaneId;

    @Option(names = "--slurm-partition", paramLabel = "NAME",
            description = "With --runtime slurm: the partition whose nodes workers run on (default: the cluster's "
                    + "default partition, every node).")
    String slurmPartition;

    @Option(names = "--slurm-conf", paramLabel = "FILE",
            description = "With --runtime slurm: the slurm.conf the Slurm tools use (default: $SLURM_CONF, or "
                    + "Slurm's own default).")
    Path slurmConf;

    @Option(names = "--slurm-node-cache", paramLabel = "DIR",
            description = "With --runtime slurm: where on each node workers keep code bundles and the worker library "
                    + "they fetched (default: /tmp/hearth-node-cache).")
    String slurmNodeCache;

    @Option(names = "--python", defaultValue = "python3", paramLabel = "PATH",
            description = "Python interpreter for python-runtime workers (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--pip-index-url", paramLabel = "URL",
            description = "Package index for building functions' Python environments (pip --index-url; default: "
                    + "pip's own configuration).")
    String pipIndexUrl;

    @Option(names = "--pip-find-links", paramLabel = "DIR",
            description = "A directory (or URL) of wheels for building functions' Python environments "
                    + "(pip --find-links).")
    String pipFindLinks;

    @Option(names = "--pip-extra-args", paramLabel = "ARGS",
            description = "More arguments for pip install when building functions' Python environments, e.g. "
                    + "\"--no-index --prefer-binary\".")
    String pipExtraArgs;

    @Option(names = "--log-format", paramLabel = "FORMAT",
            description = "Server log format: text or json (one object per line, with function, job and worker "
                    + "ids; default: $HEARTH_LOG_FORMAT, else text).")
    String logFormat;

    @Option(names = "--otlp-endpoint", paramLabel = "URL",
            description = "Export OpenTelemetry traces of jobs over OTLP/HTTP to this collector, e.g. "
                    + "http://127.0.0.1:4318 (default: $OTEL_EXPORTER_OTLP_ENDPOINT, else no tracing).")
    String otlpEndpoint;

    @Option(names = "--webhook-allow", paramLabel = "CIDR", split = ",",
            description = "Address ranges that webhooks may reach although they are not public, e.g. "
                    + "127.0.0.1/32,10.0.0.0/8 (default: none; loopback, link-local and private addresses are "
                    + "refused).")
    java.util.List<String> webhookAllow = new java.util.ArrayList<>();

    // initialized as well as defaulted: options built in code (tests, hearth up) get it too
    @Option(names = "--audit-retention", defaultValue = "365d", paramLabel = "DURATION",
            description = "How long the audit log keeps its entries (default: ${DEFAULT-VALUE}).")
    String auditRetention = "365d";

    @Option(names = "--volume-max-upload", paramLabel = "SIZE",
            description = "The largest file one upload may put into a volume, e.g. 20Gi (default: 50Gi).")
    String volumeMaxUpload;

    long volumeMaxUploadBytes() {
        if (volumeMaxUpload == null) {
            return dev.hearth.server.ServerConfig.DEFAULT_VOLUME_MAX_UPLOAD;
        }
        try {
            long bytes = dev.hearth.functions.ByteSize.parse(volumeMaxUpload);
            if (bytes > 0) {
                return bytes;
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            // said below
        }
        throw CliException.usage("--volume-max-upload must be a size above 0 like 512Mi or 20Gi, got '"
                + volumeMaxUpload + "'");
    }

    @Option(names = "--worker-log-max", defaultValue = "100MiB", paramLabel = "SIZE",
            description = "Output one worker's log keeps; it rotates and keeps the latest (default: "
                    + "${DEFAULT-VALUE}).")
    String workerLogMax = "100MiB";

    @Option(names = "--function-log-max", defaultValue = "1GiB", paramLabel = "SIZE",
            description = "Output the logs of one function's workers keep together; logs of workers that are gone "
                    + "are deleted oldest first beyond it (default: ${DEFAULT-VALUE}).")
    String functionLogMax = "1GiB";

    @Option(names = "--min-free-disk", defaultValue = "1GiB", paramLabel = "SIZE",
            description = "Free space kept on the data dir's file system: below it new jobs and deploys are refused "
                    + "with 507 while running jobs go on, so the store never fills the disk; 0 keeps none "
                    + "(default: ${DEFAULT-VALUE}).")
    String minFreeDisk = "1GiB";

    @Option(names = "--worker-env-passthrough", split = ",", paramLabel = "VAR",
            description = "Variables of this environment that workers also get, e.g. LD_LIBRARY_PATH,HF_HOME "
                    + "(workers get only PATH, HOME, LANG and TZ of it otherwise).")
    java.util.List<String> workerEnvPassthrough = new java.util.ArrayList<>();

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve HTTPS with this PEM certificate chain (with --tls-key); workers and clients then "
                    + "need https:// URLs, and HEARTH_CA_FILE where the CA is private.")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The PEM (PKCS #8, BEGIN PRIVATE KEY) private key of --tls-cert.")
    String tlsKey;

    @Option(names = "--max-unauthenticated-connections", defaultValue = "1024", paramLabel = "N",
            description = "Connections that have not yet sent a valid key or worker token; beyond this a new one "
                    + "pushes out the one idle longest (default: ${DEFAULT-VALUE}).")
    int maxUnauthenticated = 1024;

    @Option(names = "--max-connections-per-address", defaultValue = "256", paramLabel = "N",
            description = "Client connections from one address (workers' connections are not counted; default: "
                    + "${DEFAULT-VALUE}).")
    int maxPerAddress = 256;

    @Option(names = "--crash-loop-threshold", defaultValue = "3", paramLabel = "N",
            description = "Workers of a function version in a row that exit before asking for their first job "
                    + "before the version counts as crash looping: its queued jobs fail with the error, new ones are "
                    + "refused until a redeploy or hearth restart (default: ${DEFAULT-VALUE}).")
    int crashLoopThreshold = ServerConfig.DEFAULT_CRASH_LOOP_THRESHOLD;

    @Option(names = "--unsafe-no-sandbox",
            description = "Run workers as plain processes, without the bubblewrap sandbox: any function can then "
                    + "read the data dir (every job's input and output, client.json with the API key) and the other "
                    + "workers' processes. Only for machines where bubblewrap cannot run, with trusted code.")
    boolean unsafeNoSandbox;

    @Option(names = "--worker-user", paramLabel = "USER",
            description = "The unprivileged user sandboxed workers run as when the server runs as root: a name, UID "
                    + "or UID:GID (default: nobody; 'root' keeps root, without capabilities).")
    String workerUser;

    @Option(names = "--worker-bind", split = ",", paramLabel = "DIR[:rw]",
            description = "More host directories every sandboxed worker sees at the same path, read-only unless "
                    + "followed by :rw, e.g. /srv/datasets,/srv/cache:rw.")
    java.util.List<String> workerBinds = new java.util.ArrayList<>();

    @Option(names = "--bwrap", defaultValue = "bwrap", paramLabel = "PATH",
            description = "The bubblewrap program that sandboxes workers (default: ${DEFAULT-VALUE} on the PATH).")
    String bwrap = "bwrap";
}
