package dev.hearth.cli;

import dev.hearth.client.Hearth;
import dev.hearth.functions.ByteSize;
import dev.hearth.placement.Gpu;
import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import dev.hearth.server.http.EdgeLimits;
import dev.hearth.server.http.HttpEdge;
import dev.hearth.server.envs.PipSettings;
import dev.hearth.server.logging.LogFormat;
import dev.hearth.server.secrets.SecretCipher;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/** Starts a server for {@code serve} and {@code up}, records it in client.json, and keeps it up until a signal. */
final class ServerRunner {

    /** Where the key that clients need came from; decides what {@code up} may print about it. */
    enum KeyOrigin { GENERATED, ENVIRONMENT, CLIENT_FILE, UNKNOWN }

    /**
     * A started server.
     *
     * @param apiKey the key clients must send, when this process knows it; else null
     */
    record Started(HearthServer server, Path dataDir, String apiKey, KeyOrigin keyOrigin) {

        Path clientFile() {
            return ClientConfig.file(dataDir);
        }
    }

    /** The store when {@code --store} is not given. */
    static final String STORE_VARIABLE = "HEARTH_STORE_URL";

    private ServerRunner() {
    }

    static Started start(ServerOptions o, Context ctx) {
        Path dataDir = ctx.resolve(o.dataDir);
        String envKey = ctx.variable(Hearth.KEY_VARIABLE);
        ServerConfig config = config(o, ctx);
        HearthServer server;
        try {
            server = HearthServer.start(config);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage()); // a bad $HEARTH_SECRET_KEY or --worker-user
        } catch (dev.hearth.runtime.slurm.SlurmException e) {
            throw CliException.usage("--runtime slurm: cannot reach the Slurm cluster: " + e.getMessage());
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause(); // fabric8 says which call failed; the innermost cause says why
            }
            throw CliException.usage("--runtime kubernetes: cannot read the cluster's nodes: " + e.getMessage()
                    + (cause == e ? "" : " (" + cause + ")"));
        }
        Optional<String> generated = server.newApiKey();
        String key = generated.orElse(envKey);
        try {
            ClientConfig.recordStart(dataDir, server.url(), key);
        } catch (UncheckedIOException e) {
            // The server runs fine without it; only flag-less client commands lose their way to it.
            ctx.err().println("warning: " + e.getMessage());
        }
        if (generated.isPresent()) {
            return new Started(server, dataDir, key, KeyOrigin.GENERATED);
        }
        if (envKey != null) {
            return new Started(server, dataDir, key, KeyOrigin.ENVIRONMENT);
        }
        String stored = ClientConfig.read(ClientConfig.file(dataDir)).apiKey();
        return new Started(server, dataDir, stored, stored == null ? KeyOrigin.UNKNOWN : KeyOrigin.CLIENT_FILE);
    }

    /**
     * The server's configuration from the options and the environment (and the log format installed); a usage error
     * names a bad option.
     */
    static ServerConfig config(ServerOptions o, Context ctx) {
        Path dataDir = ctx.resolve(o.dataDir);
        String envKey = ctx.variable(Hearth.KEY_VARIABLE);
        String format = o.logFormat != null ? o.logFormat : ctx.variable(LogFormat.VARIABLE);
        try {
            LogFormat.parse(format == null ? "text" : format).install();
        } catch (IllegalArgumentException e) {
            throw CliException.usage((o.logFormat != null ? "--log-format" : "$" + LogFormat.VARIABLE) + ": "
                    + e.getMessage());
        }
        String otlp = o.otlpEndpoint != null ? o.otlpEndpoint : ctx.variable("OTEL_EXPORTER_OTLP_ENDPOINT");
        java.time.Duration auditRetention;
        try {
            dev.hearth.webhooks.WebhookTargets.allowing(o.webhookAllow);
            auditRetention = dev.hearth.functions.Durations.parse(o.auditRetention);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        long workerLogMax = size(o.workerLogMax, "--worker-log-max");
        long functionLogMax = size(o.functionLogMax, "--function-log-max");
        long minFreeDisk = freeSpaceFloor(o.minFreeDisk);
        for (String name : o.workerEnvPassthrough) {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw CliException.usage("--worker-env-passthrough: '" + name + "' is not a variable name");
            }
        }
        String runtime = o.runtime == null ? "local" : o.runtime;
        if (!runtime.equals("kubernetes") && (o.namespace != null || o.kubeconfig != null
                || o.kubernetesImage != null || o.kubernetesWorkerUrl != null || o.kubernetesControlPlaneId != null)) {
            throw CliException.usage("--namespace, --kubeconfig, --kubernetes-image, --kubernetes-worker-url and "
                    + "--kubernetes-control-plane-id need --runtime kubernetes");
        }
        dev.hearth.server.KubernetesSettings kubernetes = null;
        dev.hearth.server.SlurmSettings slurm = switch (runtime) {
            case "kubernetes" -> {
                if (o.gpus != null) {
                    throw CliException.usage("--gpus is not used with --runtime kubernetes: the GPUs are the "
                            + "cluster's (its nodes' nvidia.com/gpu)");
                }
                if (o.slurmPartition != null || o.slurmConf != null || o.slurmNodeCache != null) {
                    throw CliException.usage("--slurm-partition, --slurm-conf and --slurm-node-cache need "
                            + "--runtime slurm");
                }
                java.net.URI workerUrl = null;
                if (o.kubernetesWorkerUrl != null) {
                    try {
                        workerUrl = new java.net.URI(o.kubernetesWorkerUrl.replaceAll("/+$", ""));
                    } catch (java.net.URISyntaxException e) {
                        workerUrl = null;
                    }
                    if (workerUrl == null || workerUrl.getHost() == null || !("http".equals(workerUrl.getScheme())
                            || "https".equals(workerUrl.getScheme()))) {
                        throw CliException.usage("--kubernetes-worker-url: expected http(s)://HOST[:PORT], got '"
                                + o.kubernetesWorkerUrl + "'");
                    }
                }
                kubernetes = new dev.hearth.server.KubernetesSettings(o.namespace,
                        o.kubeconfig == null ? null : ctx.resolve(o.kubeconfig), o.kubernetesImage, workerUrl,
                        o.kubernetesControlPlaneId);
                yield null;
            }
            case "local" -> {
                if (o.slurmPartition != null || o.slurmConf != null || o.slurmNodeCache != null) {
                    throw CliException.usage("--slurm-partition, --slurm-conf and --slurm-node-cache need "
                            + "--runtime slurm");
                }
                yield null;
            }
            case "slurm" -> {
                if (o.gpus != null) {
                    throw CliException.usage("--gpus is not used with --runtime slurm: the GPUs are the Slurm "
                            + "cluster's (its nodes' GRES)");
                }
                String conf = ctx.variable("SLURM_CONF");
                yield new dev.hearth.server.SlurmSettings(o.slurmPartition, o.slurmConf != null
                        ? ctx.resolve(o.slurmConf) : conf == null || conf.isBlank() ? null : Path.of(conf),
                        o.slurmNodeCache);
            }
            default -> throw CliException.usage("--runtime: expected 'local', 'slurm' or 'kubernetes', got '"
                    + o.runtime + "'");
        };
        if ((o.tlsCert == null) != (o.tlsKey == null)) {
            throw CliException.usage("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither");
        }
        if (o.maxUnauthenticated < 1 || o.maxPerAddress < 1) {
            throw CliException.usage("--max-unauthenticated-connections and --max-connections-per-address must be "
                    + "at least 1");
        }
        HttpEdge.Tls tls = o.tlsCert == null ? null
                : new HttpEdge.Tls(ctx.resolve(Path.of(o.tlsCert)), ctx.resolve(Path.of(o.tlsKey)));
        String store = o.store != null ? o.store : ctx.variable(STORE_VARIABLE);
        if (store != null) {
            try {
                dev.hearth.store.PostgresUrl.parse(store.strip(), o.store != null ? "--store" : "$" + STORE_VARIABLE);
            } catch (IllegalArgumentException e) {
                throw CliException.usage(e.getMessage());
            }
        }
        if (o.crashLoopThreshold < 1) {
            throw CliException.usage("--crash-loop-threshold must be at least 1, got " + o.crashLoopThreshold);
        }
        dev.hearth.server.workers.SandboxSettings sandbox;
        try {
            sandbox = new dev.hearth.server.workers.SandboxSettings(o.unsafeNoSandbox, o.bwrap, o.workerUser,
                    o.workerBinds.stream().map(dev.hearth.server.workers.SandboxSettings::bind).toList());
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        return ServerConfig.builder()
                .storeUrl(store)
                .host(o.host)
                .port(o.port)
                .dataDir(dataDir)
                .gpus(o.gpus)
                .apiKey(envKey)
                .python(o.python)
                .webhookSecret(ctx.variable("HEARTH_WEBHOOK_SECRET"))
                .otlpEndpoint(otlp)
                .webhookAllow(o.webhookAllow)
                .auditRetention(auditRetention)
                .volumeMaxUpload(o.volumeMaxUploadBytes())
                .workerLogMax(workerLogMax)
                .functionLogMax(functionLogMax)
                .minFreeDisk(minFreeDisk)
                .pip(new PipSettings(o.pipIndexUrl, o.pipFindLinks == null || o.pipFindLinks.contains("://")
                        ? o.pipFindLinks : ctx.resolve(Path.of(o.pipFindLinks)).toString(),
                        PipSettings.splitArgs(o.pipExtraArgs)))
                .secretKey(ctx.variable(SecretCipher.KEY_VARIABLE))
                .workerEnvPassthrough(o.workerEnvPassthrough)
                .slurm(slurm)
                .kubernetes(kubernetes)
                .tls(tls)
                .edgeLimits(EdgeLimits.DEFAULT.withConnectionCaps(o.maxUnauthenticated, o.maxPerAddress))
                .crashLoopThreshold(o.crashLoopThreshold)
                .sandbox(sandbox)
                .build();
    }

    /** Blocks until SIGTERM / Ctrl-C; the shutdown hook lets in-flight jobs finish or requeue them. */
    static void runUntilSignal(HearthServer server, Context ctx) {
        runUntilSignal(server::close, ctx);
    }

    /** The same for any server: {@code close} stops it. */
    static void runUntilSignal(Runnable close, Context ctx) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ctx.out().println("stopping Hearth (in-flight jobs finish or go back to the queue)...");
            try {
                close.run();
            } finally {
                ctx.out().println("stopped");
                ctx.out().flush();
                stopped.countDown();
            }
        }, "hearth-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close.run();
        }
    }

    /** {@code 4x H100, 2x A100}, or a note that there are none. */
    static String describe(List<Gpu> gpus) {
        if (gpus.isEmpty()) {
            return "none (CPU functions run; GPU functions wait; try --gpus H100:1 to simulate one)";
        }
        Map<String, List<Gpu>> byNode = gpus.stream()
                .collect(Collectors.groupingBy(Gpu::node, LinkedHashMap::new, Collectors.toList()));
        if (byNode.size() > 1) {
            return byNode.entrySet().stream().map(e -> e.getKey() + ": " + describe(e.getValue()))
                    .collect(Collectors.joining("; "));
        }
        Map<String, Long> byType = gpus.stream()
                .collect(Collectors.groupingBy(Gpu::type, LinkedHashMap::new, Collectors.counting()));
        return byType.entrySet().stream().map(e -> e.getValue() + "x " + e.getKey())
                .collect(Collectors.joining(", "));
    }

    static String keyNote(Started s, Context ctx) {
        Path file = relative(s.clientFile(), ctx);
        return switch (s.keyOrigin()) {
            case GENERATED -> s.apiKey() + "   (new: shown only this once; saved to " + file + ")";
            case ENVIRONMENT -> "from $" + Hearth.KEY_VARIABLE + " (saved to " + file + ")";
            case CLIENT_FILE -> "stored in " + file;
            case UNKNOWN -> "set when " + relative(s.dataDir(), ctx) + " was first used and not in " + file
                    + "; restart with " + Hearth.KEY_VARIABLE + "=<key> to set one";
        };
    }

    static Path relative(Path p, Context ctx) {
        return p.startsWith(ctx.cwd()) ? ctx.cwd().relativize(p) : p;
    }

    private static long freeSpaceFloor(String text) {
        try {
            return ByteSize.parse(text);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw CliException.usage("--min-free-disk must be a size like 1GiB or 500MiB, or 0 to keep none, got '"
                    + text + "'");
        }
    }

    private static long size(String text, String option) {
        try {
            long bytes = ByteSize.parse(text);
            if (bytes >= 1024) {
                return bytes;
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            // said below
        }
        throw CliException.usage(option + " must be a size of at least 1Ki like 100MiB or 1GiB, got '" + text + "'");
    }
}
