package dev.hearth.server;

import dev.hearth.errors.HearthException;
import dev.hearth.placement.Gpu;
import dev.hearth.placement.GpuInventory;
import dev.hearth.runtime.gpu.GpuInventories;
import dev.hearth.runtime.WorkerMount;
import dev.hearth.runtime.WorkerRuntime;
import dev.hearth.runtime.local.LocalProcessRuntime;
import dev.hearth.runtime.kubernetes.KubernetesClients;
import dev.hearth.runtime.kubernetes.KubernetesInventory;
import dev.hearth.runtime.kubernetes.KubernetesRuntime;
import dev.hearth.runtime.slurm.SlurmCli;
import dev.hearth.runtime.slurm.SlurmInventory;
import dev.hearth.runtime.slurm.SlurmRuntime;
import dev.hearth.runtime.local.Bubblewrap;
import dev.hearth.runtime.local.WorkerSandbox;
import dev.hearth.runtime.local.WorkerUser;
import dev.hearth.scaling.Autoscaler;
import dev.hearth.server.alerts.AlertService;
import dev.hearth.server.alerts.AlertSignals;
import dev.hearth.server.api.ApiKeys;
import dev.hearth.server.api.HttpApi;
import dev.hearth.server.api.Replicate;
import dev.hearth.retry.Backoff;
import dev.hearth.server.api.WebhookSecret;
import dev.hearth.server.api.Webhooks;
import dev.hearth.webhooks.WebhookRetryPolicy;
import dev.hearth.webhooks.WebhookTargets;
import dev.hearth.server.cog.CogSchemas;
import dev.hearth.server.envs.PythonEnvs;
import dev.hearth.server.functions.BundleStore;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobEventBus;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.budgets.BudgetService;
import dev.hearth.server.metering.CostMetrics;
import dev.hearth.server.metering.Metering;
import dev.hearth.server.metering.PriceCatalogFile;
import dev.hearth.server.metering.UsageRecorder;
import dev.hearth.server.metrics.GpuSampler;
import dev.hearth.server.metrics.HearthMetrics;
import dev.hearth.server.releases.RollingRelease;
import dev.hearth.server.scaling.ScalingEvents;
import dev.hearth.server.scaling.ScalingLoop;
import dev.hearth.server.scaling.ScalingSettings;
import dev.hearth.server.schedule.CronScheduler;
import dev.hearth.server.disk.FreeSpaceFloor;
import dev.hearth.server.jobs.SubmitGate;
import dev.hearth.server.jobs.SubmitRequest;
import dev.hearth.server.timeline.TimelineRecorder;
import dev.hearth.server.tracing.JobTracer;
import dev.hearth.server.volumes.Volumes;
import dev.hearth.server.workers.PythonInterpreter;
import dev.hearth.server.workers.PythonLibrary;
import dev.hearth.server.workers.SandboxSettings;
import dev.hearth.server.secrets.SecretCipher;
import dev.hearth.server.secrets.SecretService;
import dev.hearth.server.workers.WorkerCommands;
import dev.hearth.server.workers.NodeCaches;
import dev.hearth.server.workers.WorkerDownloads;
import dev.hearth.server.workers.WorkerTokens;
import dev.hearth.server.workers.WorkerLogJanitor;
import dev.hearth.server.workers.WorkerEnvironment;
import dev.hearth.server.workers.WorkerPool;
import dev.hearth.server.workers.WorkerRegistry;
import dev.hearth.store.HearthStore;
import dev.hearth.store.Stores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import dev.hearth.fleet.FleetPlanner;
import dev.hearth.time.Ticker;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A running control plane. This class is the one place where Hearth is wired together, by constructor: the store, the
 * runtime, the GPU inventory, the job service, the worker pool, the autoscaler loop and the HTTP API.
 */
public final class HearthServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HearthServer.class.getName());
    /** Webhook attempts per event: the first and four retries (10 s, 20 s, 40 s, 80 s apart by default). */
    private static final int WEBHOOK_ATTEMPTS = 5;

    private final HearthStore store;
    private final GpuInventory inventory;
    /** The nodes a cluster's scheduler (Slurm, Kubernetes) takes no work on, with why; null for local workers. */
    private final java.util.function.Supplier<Map<String, String>> clusterUnavailable;
    private final JobService jobs;
    private final WorkerPool pool;
    private final ScalingLoop scaling;
    private final HttpApi api;
    private final TimelineRecorder timeline;
    private final GpuSampler gpuSampler;
    private final JobTracer tracer;
    private final ApiKeys keys;
    private final Webhooks webhooks;
    private final UsageRecorder usage;
    private final PythonEnvs envs;
    private final Replicate replicate;
    private final String workerSandbox;
    private final ScheduledExecutorService housekeeping;
    private volatile boolean closed;

    private HearthServer(ServerConfig config, InstantSource wallClock) {
        this(config, wallClock, null);
    }

    /**
     * @param leadership the term this control plane leads in, among nodes sharing a PostgreSQL store (see
     *                   {@link HearthCluster}); null for a control plane alone on its store
     */
    private HearthServer(ServerConfig config, InstantSource wallClock, Leadership leadership) {
        // Milliseconds: what the store keeps, so a job reads back exactly as it was written.
        InstantSource clock = () -> wallClock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        // the same clock, for the classes that also measure intervals or wait
        Ticker ticker = Ticker.system(clock);
        Path data = config.dataDir().toAbsolutePath();
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data dir " + data, e);
        }
        StartPhases phases = new StartPhases();
        SecretCipher cipher = SecretCipher.load(config.secretKey(), data); // a bad key stops the start before the store
        // so does a bad --worker-user; Slurm's workers and Kubernetes pods run on other machines, confined there
        WorkerSandbox sandbox = leadership != null && leadership.prepared() != null
                ? leadership.prepared().sandbox() : sandboxOf(config, data);
        phases.mark("sandbox");
        // SQLite in the data dir unless a PostgreSQL URL is given; a leader's writes are fenced by its term
        store = leadership == null ? Stores.open(config.storeUrl(), data)
                : Stores.openLeader(config.storeUrl(), leadership.term());
        phases.mark("store");
        int orphans = LocalProcessRuntime.reapOrphans(data.resolve("run"));
        if (orphans > 0) {
            LOG.info("stopped " + orphans + " worker processes left over by a previous run");
        }
        WorkerRuntime runtime;
        URI workerUrl = null; // where workers reach this server: where it serves, unless said otherwise
        if (config.slurm() != null) {
            SlurmCli slurm = new SlurmCli(config.slurm().config());
            // the GPUs other users' Slurm jobs hold are not Hearth's to place: told apart by the jobs' comment
            SlurmInventory slurmInventory = new SlurmInventory(slurm, config.slurm().partition(),
                    SlurmRuntime.ownJobs(controlPlaneId(data)));
            clusterUnavailable = slurmInventory::unavailable;
            inventory = slurmInventory;
            SlurmRuntime slurmRuntime = new SlurmRuntime(slurm, slurmInventory, config.slurm().partition(),
                    controlPlaneId(data), config.slurm().nodeCache(), Duration.ofSeconds(10));
            runtime = slurmRuntime;
            workerSandbox = "Slurm jobs on the cluster's nodes, confined as Slurm confines them";
        } else if (config.kubernetes() != null) {
            KubernetesSettings k = config.kubernetes();
            var client = KubernetesClients.connect(k.kubeconfig());
            KubernetesInventory kubernetesInventory;
            try {
                kubernetesInventory = new KubernetesInventory(client);
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
            clusterUnavailable = kubernetesInventory::unavailable;
            inventory = kubernetesInventory;
            runtime = new KubernetesRuntime(client, k.namespace(), kubernetesInventory,
                    k.controlPlaneId() != null ? k.controlPlaneId() : controlPlaneId(data), k.image(),
                    Duration.ofSeconds(10));
            workerSandbox = "Kubernetes pods in namespace " + k.namespace() + ", confined as the cluster confines them";
            workerUrl = k.workerUrl();
        } else {
            clusterUnavailable = null;
            inventory = GpuInventories.fromFlag(config.gpus(), "local");
            LocalProcessRuntime local = new LocalProcessRuntime(data.resolve("run"), sandbox);
            workerSandbox = local.sandboxDescription();
            runtime = local;
        }
        WorkerRegistry workers = new WorkerRegistry();
        BundleStore bundles = new BundleStore(data.resolve("bundles"), config.bundleLimits(),
                store.sharedBundles().orElse(null));
        Path pythonLib = PythonLibrary.install(data.resolve("runtime").resolve("python"));
        // a standby resolved it ahead (a Python run: seconds on a busy host), so that its takeover need not
        String python = leadership != null && leadership.prepared() != null ? leadership.prepared().python()
                : PythonInterpreter.resolve(config.python(), pythonLib);
        phases.mark("python");
        envs = new PythonEnvs(data.resolve("envs"), config.pip(), python, v -> bundles.dir(v.bundleSha256()), clock);
        FunctionRegistry functions = new FunctionRegistry(store.functions(), bundles, store.releases(), clock,
                envs::prepare);
        SecretService secrets = new SecretService(store, cipher, functions, clock);
        functions.beforeDeploy((manifest, dir) -> secrets.checkDeployable(manifest));
        Volumes volumes = new Volumes(data.resolve("volumes"), config.volumeMaxUpload());
        functions.beforeDeploy((manifest, dir) -> volumes.mount(manifest, dir, runtime.mountsAtAbsolutePaths()));
        functions.onUnpack((manifest, dir) -> volumes.mount(manifest, dir, runtime.mountsAtAbsolutePaths()));
        // Cog predictors' OpenAPI schemas, read from their source at deploy (ModelSchemas, for the Replicate routes)
        CogSchemas cogSchemas = new CogSchemas(data.resolve("schemas"), python, pythonLib, functions);
        functions.beforeDeploy(cogSchemas::prepare);
        HttpApi[] apiRef = new HttpApi[1];
        URI workersReach = workerUrl;
        WorkerCommands commands = new WorkerCommands(() -> workersReach != null ? workersReach : apiRef[0].url(),
                functions::bundleDir, pythonLib,
                data.resolve("logs"), python, config.pingInterval(), volumes,
                v -> envs.of(v).map(PythonEnvs.Env::python),
                new WorkerEnvironment(serverEnvironment(config), workerPassthrough(config), secrets),
                data.resolve("home"));
        pool = new WorkerPool(workers, runtime, inventory, commands, clock, config.workerGrace());
        pool.crashLoopAfter(config.crashLoopThreshold());
        NodeCaches nodeCaches = new NodeCaches();
        pool.preferWarmNodes(v -> nodeCaches.warmNodes(v.bundleSha256(), envHash(v)));
        JobEventBus events = new JobEventBus();
        jobs = new JobService(store, functions, workers, ticker, config.pingInterval().multipliedBy(3), events);
        if (leadership != null) {
            jobs.durableLeases(); // fencing: a deposed leader's lease write fails before the worker gets the job
        }
        pool.events(jobs);
        pool.bindFunctions(functions::latest);
        if (clusterUnavailable != null) {
            pool.deriveTokens(WorkerTokens.load(data)::of);
        }
        HearthMetrics metrics = new HearthMetrics(functions, jobs, pool);
        ScalingEvents scalingEvents = new ScalingEvents();
        ScalingSettings scalingSettings = new ScalingSettings(store);
        scaling = new ScalingLoop(functions, jobs, pool, new Autoscaler(clock), scalingEvents, scalingSettings,
                ticker, FleetPlanner.TICK);
        CronScheduler cron = new CronScheduler(functions::all, store,
                (fn, input) -> jobs.submit(fn, new SubmitRequest(input, null, null, null, false)), clock);
        WebhookTargets webhookTargets = WebhookTargets.allowing(config.webhookAllow());
        webhooks = new Webhooks(store.deliveries(), store, WebhookSecret.load(store, config.webhookSecret()), webhookTargets,
                new WebhookRetryPolicy(new Backoff(config.webhookRetryDelay(), 2.0,
                        Duration.ofMinutes(10).compareTo(config.webhookRetryDelay()) > 0 ? Duration.ofMinutes(10)
                                : config.webhookRetryDelay()), WEBHOOK_ATTEMPTS, clock), ticker);
        List<String> gpuTypes = inventory.gpus().stream().map(Gpu::type).distinct().toList();
        PriceCatalogFile prices = PriceCatalogFile.open(data, gpuTypes);
        phases.mark("services");
        usage = new UsageRecorder(store, prices::current, clock);
        pool.observe(usage);
        BudgetService budgets = new BudgetService(store, store, prices::current, usage::flush, webhookTargets, clock);
        usage.addSink(budgets);
        usage.addSink(new CostMetrics(metrics.registry()));
        // checked first: a job refused for want of disk space must not reserve budget or count against a crash loop
        FreeSpaceFloor freeSpace = new FreeSpaceFloor(data, config.minFreeDisk());
        functions.beforeDeploy((manifest, dir) -> freeSpace.check("deploys are"));
        jobs.gate(SubmitGate.both(freeSpace, SubmitGate.both(PoolJobEvents.crashLoopGate(pool), budgets)));
        pool.onCrashLoop(metrics::crashLooping);
        // the recorder before the budgets: a finished job's cost is counted before its reservation is released
        events.add(metrics, new PoolJobEvents(pool), scaling, webhooks, usage, budgets);
        timeline = new TimelineRecorder(store, ticker, (fn, worker) -> commands.logDir(fn).resolve(worker + ".log"));
        events.add(timeline);
        metrics.reportTimeline(timeline);
        // tracing off (the default) creates nothing and costs nothing on the job path
        tracer = config.otlpEndpoint() == null ? null : JobTracer.toOtlp(config.otlpEndpoint(), clock);
        if (tracer != null) {
            events.add(tracer);
        }
        // only nvidia-smi knows how busy GPUs are; a configured inventory (--gpus) has nothing to sample
        gpuSampler = config.gpus() == null && clusterUnavailable == null && !inventory.gpus().isEmpty()
                ? new GpuSampler(5) : null;
        if (gpuSampler != null) {
            metrics.reportGpus(gpuSampler, inventory.gpus().getFirst().node());
        }
        functions.onRelease(new RollingRelease(functions, jobs, pool, scaling::nudge));
        functions.onDeploy(v -> scalingSettings.reset(v.name()));
        functions.onDeploy(v -> pool.restart(v.name(), false)); // a redeploy ends a crash loop
        keys = ApiKeys.load(store, config.apiKey(), clock);
        api = new HttpApi(config.host(), config.port(), keys, functions, jobs, workers, pool, commands, scalingEvents,
                metrics, clock, webhooks, new Metering(store, usage, prices, budgets), scalingSettings, scaling::nudge,
                store, config.edgeLimits(), config.tls(), config.edge());
        phases.mark("http");
        api.addObservability(jobs, functions, pool, commands, timeline);
        api.addVolumes(volumes, functions);
        api.addEnvironments(envs, functions);
        api.addModelSchemas(cogSchemas);
        api.addSecrets(secrets);
        replicate = new Replicate(jobs, functions, webhooks, timeline, commands, cogSchemas, store,
                data.resolve("files"),
                Path.of(System.getProperty("java.io.tmpdir")), clock);
        events.add(replicate);
        api.addReplicate(replicate);
        api.addWorkerDownloads(workers, new WorkerDownloads(commands, (name, version) -> functions.find(name, version)
                .orElseThrow(() -> new HearthException.NotFound("no version " + version + " of " + name)),
                envs::forNodes, pythonLib, data.resolve("downloads")), nodeCaches);
        AlertService alerts = new AlertService(store,
                new AlertSignals(functions, jobs, pool, store, budgets::standings, clock),
                webhooks, clock);
        api.addAlerts(alerts, functions, clock);
        java.time.Instant since = wallClock.instant();
        api.addCluster(leadership == null ? () -> alone(api, since) : leadership.cluster());
        apiRef[0] = api;
        // Listening before the jobs are loaded, which with a deep queue takes seconds: /healthz says "starting" and
        // every other route answers 503 until the state below is rebuilt, so nothing reads or changes a queue that is
        // still being loaded.
        api.startBeforeReady();
        try {
            rebuild(pool, webhooks, budgets, functions);
        } catch (RuntimeException e) {
            api.close(); // a start that fails does not leave its port taken
            throw e;
        }
        phases.mark("recovery");
        housekeeping = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("hearth-housekeeping").factory());
        housekeeping.scheduleWithFixedDelay(guard("reaper", () -> {
            jobs.reap();
            pool.sweep();
        }), 100, 100, TimeUnit.MILLISECONDS);
        if (clusterUnavailable != null) {
            housekeeping.scheduleWithFixedDelay(guard("cluster nodes", () ->
                    pool.followCluster(clusterUnavailable.get())), 1, 1, TimeUnit.SECONDS);
        }
        housekeeping.scheduleWithFixedDelay(guard("free disk space", freeSpace::refresh), 1, 1, TimeUnit.SECONDS);
        housekeeping.scheduleWithFixedDelay(guard("schedules", cron::runOnce), 1, 1, TimeUnit.SECONDS);
        housekeeping.scheduleWithFixedDelay(guard("alerts", alerts::evaluate), 1, 1, TimeUnit.SECONDS);
        housekeeping.scheduleWithFixedDelay(guard("metering", () -> {
            usage.checkpoint();
            usage.flush();
            prices.refresh(gpuTypes);
        }), 1, 1, TimeUnit.SECONDS);
        WorkerLogJanitor logJanitor = new WorkerLogJanitor(data.resolve("logs"), () -> pool.workers(null),
                config.workerLogMax(), config.functionLogMax(), config.resultRetention(), clock);
        housekeeping.scheduleWithFixedDelay(guard("worker log rotation", logJanitor::rotate), 1, 1, TimeUnit.SECONDS);
        housekeeping.scheduleWithFixedDelay(guard("worker log expiry", () -> {
            try {
                logJanitor.expire();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }), 1, 10, TimeUnit.SECONDS);
        housekeeping.scheduleWithFixedDelay(guard("retention", () ->
                jobs.deleteFinishedBefore(clock.instant().minus(config.resultRetention()))), 1, 60, TimeUnit.SECONDS);
        housekeeping.scheduleWithFixedDelay(guard("replicate files", replicate::reap), 1, 60, TimeUnit.SECONDS);
        housekeeping.scheduleWithFixedDelay(guard("audit retention", () ->
                store.deleteBefore(clock.instant().minus(config.auditRetention()))), 1, 3600, TimeUnit.SECONDS);
        api.ready();
        scaling.start();
        phases.mark("started");
        LOG.fine(() -> "control plane started: " + phases);
        if (leadership != null) {
            LOG.info("control plane of term " + leadership.term() + " started: " + phases);
        }
    }

    /** How long each part of a start took, for the log: a takeover's time is mostly a start's. */
    private static final class StartPhases {
        private final long begin = System.nanoTime();
        private long last = begin;
        private final StringBuilder text = new StringBuilder();

        void mark(String phase) {
            long now = System.nanoTime();
            text.append(text.isEmpty() ? "" : ", ").append(phase).append(' ').append((now - last) / 1_000_000)
                    .append(" ms");
            last = now;
        }

        @Override
        public String toString() {
            return (last - begin) / 1_000_000 + " ms (" + text + ")";
        }
    }

    /** The state kept in memory, rebuilt from the store after a start: unfinished jobs, workers, deliveries, budgets. */
    private void rebuild(WorkerPool pool, Webhooks webhooks, BudgetService budgets, FunctionRegistry functions) {
        long recovering = System.nanoTime();
        List<dev.hearth.jobs.Job> recovered = jobs.recover();
        if (!recovered.isEmpty()) {
            LOG.info("recovered " + recovered.size() + " unfinished jobs from " + store + " in "
                    + (System.nanoTime() - recovering) / 1_000_000 + " ms");
        }
        int adopted = pool.adoptLeftovers();
        if (adopted > 0) {
            LOG.info("adopted " + adopted + " workers left running by a previous run");
        }
        int resumed = webhooks.resume();
        if (resumed > 0) {
            LOG.info("resumed " + resumed + " pending webhook deliveries");
        }
        budgets.load(recovered, j -> functions.latest(j.function()));
    }

    /**
     * What confines local workers, said at start: a bubblewrap sandbox hiding the data dir from them; none when the
     * operator said {@code --unsafe-no-sandbox}; and where bubblewrap is missing or fails, no workers at all (every
     * start fails saying what to do) rather than unsandboxed ones nobody asked for.
     */
    private static WorkerSandbox sandbox(SandboxSettings settings, Path data) {
        if (settings.unsafeNoSandbox()) {
            if (settings.workerUser() != null) {
                throw new IllegalArgumentException("--worker-user " + settings.workerUser() + " is whom sandboxed "
                        + "workers run as; with --unsafe-no-sandbox workers run as the server's own user");
            }
            WorkerSandbox none = WorkerSandbox.unsandboxed();
            LOG.warning("workers: " + none.describe());
            return none;
        }
        WorkerSandbox sandbox = Bubblewrap.probe(settings.bwrap(), WorkerUser.forServer(settings.workerUser()),
                List.of(data), settings.binds(), Path.of(System.getProperty("java.io.tmpdir")));
        if (sandbox instanceof WorkerSandbox.Unavailable unavailable) {
            LOG.severe("workers cannot run: " + unavailable.reason());
        } else {
            LOG.info("workers: " + sandbox.describe());
        }
        return sandbox;
    }

    /** What confines local workers, in a line: the sandbox, {@code UNSANDBOXED ...}, or {@code NOT RUNNING: why}. */
    public String workerSandbox() {
        return workerSandbox;
    }

    /**
     * What makes a control plane the leader of several nodes on one store.
     *
     * @param term    its term: every write it makes to the store is fenced by it
     * @param cluster what {@code GET /v1/cluster} answers
     * @param prepared what the standby readied ahead, or null to do it at start
     */
    record Leadership(long term, java.util.function.Supplier<dev.hearth.cluster.ClusterView> cluster,
                      Prepared prepared) {
    }

    /**
     * What a standby does ahead of a takeover that a start would otherwise do, each a process run that takes seconds
     * on a busy host: probing the worker sandbox, and finding the real Python interpreter (after unpacking the worker
     * library into the data dir, which it compiles on the way).
     */
    record Prepared(WorkerSandbox sandbox, String python) {

        static Prepared of(ServerConfig config) {
            Path data = config.dataDir().toAbsolutePath();
            Path lib = PythonLibrary.install(data.resolve("runtime").resolve("python"));
            return new Prepared(sandboxOf(config, data), PythonInterpreter.resolve(config.python(), lib));
        }
    }

    /** The local workers' sandbox; none with Slurm or Kubernetes, whose workers run on other machines. */
    private static WorkerSandbox sandboxOf(ServerConfig config, Path data) {
        return config.slurm() == null && config.kubernetes() == null
                ? sandbox(config.sandbox().withBinds(caFileOf(config)), data) : null;
    }

    /** The cluster of a control plane alone on its store: itself, leading since it started, term 0. */
    private static dev.hearth.cluster.ClusterView alone(HttpApi api, java.time.Instant since) {
        return new dev.hearth.cluster.ClusterView(0, List.of(new dev.hearth.cluster.ClusterView.Node(
                api.url().toString(), true, since, java.time.Instant.now())));
    }

    /** Starts the leader of {@code leadership}'s term; returns once it serves HTTP. */
    static HearthServer startLeader(ServerConfig config, Leadership leadership) {
        return new HearthServer(config, InstantSource.system(), leadership);
    }

    /**
     * Stops at once after this node lost the lead: no job is handed out from now on and the port is let go at once
     * (the node serves as a standby on it); then the rest stops as {@link #close()} does, whose writes the store
     * refuses anyway (fencing).
     */
    void stepDown() {
        jobs.stopDispatch();
        scaling.close();
        housekeeping.shutdownNow();
        api.close();
        close();
    }

    /** Starts a control plane; returns once it serves HTTP. */
    public static HearthServer start(ServerConfig config) {
        return start(config, InstantSource.system());
    }

    /**
     * The same, on another clock: tests move it forward to reach a cron tick or a scheduled floor without waiting
     * for one. Only forward, while no job runs: leases and idle times are measured on it too.
     */
    static HearthServer start(ServerConfig config, InstantSource clock) {
        return new HearthServer(config, clock);
    }

    /** A version's environment hash, for placement; null without one (or when it is not built: the start says so). */
    private String envHash(dev.hearth.functions.FunctionVersion v) {
        if (v.manifest().python() == null) {
            return null;
        }
        try {
            return envs.of(v).map(PythonEnvs.Env::hash).orElse(null);
        } catch (dev.hearth.runtime.WorkerStartException e) {
            return null;
        }
    }

    /**
     * The server's environment, and with TLS the CA file for workers to trust: the server's own HEARTH_CA_FILE if
     * set, else a self-signed certificate itself (a certificate from a public CA needs none).
     */
    private static Map<String, String> serverEnvironment(ServerConfig config) {
        Map<String, String> env = System.getenv();
        if (config.tls() == null || env.containsKey("HEARTH_CA_FILE") || !config.tls().selfSigned()) {
            return env;
        }
        Map<String, String> withCa = new java.util.HashMap<>(env);
        withCa.put("HEARTH_CA_FILE", config.tls().certificate().toAbsolutePath().toString());
        return withCa;
    }

    /** Workers verify the server's certificate with the CA file they are given, so their sandbox must show it. */
    private static List<WorkerMount> caFileOf(ServerConfig config) {
        String ca = config.tls() == null ? null : serverEnvironment(config).get("HEARTH_CA_FILE");
        return ca == null ? List.of() : List.of(WorkerMount.readOnly(Path.of(ca).toAbsolutePath()));
    }

    private static List<String> workerPassthrough(ServerConfig config) {
        if (config.tls() == null) {
            return config.workerEnvPassthrough();
        }
        List<String> names = new java.util.ArrayList<>(config.workerEnvPassthrough());
        names.add("HEARTH_CA_FILE");
        return names;
    }

    public URI url() {
        return api.url();
    }

    /** The API key generated by this start, to show once; empty if one was stored or configured. */
    public Optional<String> newApiKey() {
        return keys.generated();
    }

    public List<Gpu> gpus() {
        return inventory.gpus();
    }

    /**
     * Graceful stop: no new jobs, workers drain (in-flight jobs finish and report, SIGKILL after the grace period),
     * jobs still running then go back to the queue, and the store is closed.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        scaling.close();
        envs.close();
        jobs.stopDispatch();
        pool.stopAll();
        housekeeping.shutdownNow();
        try {
            usage.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not write the last usage intervals", e);
        }
        api.close();
        replicate.close();
        webhooks.close();
        timeline.close();
        if (tracer != null) {
            tracer.close();
        }
        if (gpuSampler != null) {
            gpuSampler.close();
        }
        store.close();
    }

    /**
     * This control plane's id in a shared cluster, kept in the data dir so that a restarted control plane knows its
     * own Slurm jobs from those of other control planes.
     */
    private static String controlPlaneId(Path data) {
        Path file = data.resolve("control-plane-id");
        try {
            if (!Files.exists(file)) {
                byte[] id = new byte[6];
                new java.security.SecureRandom().nextBytes(id);
                Files.writeString(file, java.util.HexFormat.of().formatHex(id));
            }
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the control plane's id in " + file, e);
        }
    }

    private static Runnable guard(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, name + " task failed; it runs again shortly", e);
            }
        };
    }
}
