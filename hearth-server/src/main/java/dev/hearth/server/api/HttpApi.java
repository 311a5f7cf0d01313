package dev.hearth.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.audit.AuditStore;
import dev.hearth.errors.HearthException;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.http.Exchange;
import dev.hearth.server.http.EdgeLimits;
import dev.hearth.server.http.Edge;
import dev.hearth.server.http.HttpEdge;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.metering.Metering;
import dev.hearth.server.logging.LogContext;
import dev.hearth.server.metrics.HearthMetrics;
import dev.hearth.server.scaling.ScalingEvents;
import dev.hearth.server.secrets.SecretService;
import dev.hearth.server.scaling.ScalingSettings;
import dev.hearth.server.timeline.TimelineRecorder;
import dev.hearth.server.workers.WorkerCommands;
import dev.hearth.server.workers.WorkerPool;
import dev.hearth.server.workers.WorkerRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.InstantSource;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP front door: one router over the client, worker and management routes, authentication by route, and the
 * one place where errors become {@code application/problem+json}. Each request is handled on a virtual thread
 * (see {@link HttpEdge}), so long-polls cost no platform thread.
 */
public final class HttpApi implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());

    private final Edge server;
    private final Router router = new Router();
    // false while the control plane rebuilds its state after start (see startBeforeReady)
    private volatile boolean ready = true;
    private final ApiKeys keys;
    private final AuditLog audit;
    private final HearthMetrics metrics;

    public HttpApi(String host, int port, ApiKeys keys, FunctionRegistry functions, JobService jobs,
                   WorkerRegistry workers, WorkerPool pool, WorkerCommands commands, ScalingEvents events,
                   HearthMetrics metrics, InstantSource clock, Webhooks webhooks, Metering metering,
                   ScalingSettings scalingSettings, Runnable scalingNudge, AuditStore auditStore,
                   EdgeLimits edgeLimits, HttpEdge.Tls tls, Edge.Factory edge) {
        this.keys = keys;
        this.audit = new AuditLog(auditStore, clock);
        audit.register(router);
        this.metrics = metrics;
        new ClientRoutes(jobs, pool, clock, webhooks).register(router);
        new WorkerRoutes(jobs, workers, pool).register(router);
        ScalingRoutes scaling = new ScalingRoutes(functions, scalingSettings, events, scalingNudge, clock);
        scaling.register(router);
        new ManagementRoutes(functions, jobs, pool, commands, scaling, clock).register(router);
        new StatsRoutes(functions, jobs, clock, pool.coldStarts()).register(router);
        new PlannerRoutes(functions, jobs, metering, scalingSettings, pool::inventory, clock).register(router);
        new DashboardRoutes().register(router);
        router.add("GET", "/v1/webhooks/secret", Router.Access.CLIENT,
                c -> c.json(200, Map.of("secret", webhooks.secret())));
        new ReleaseRoutes(functions).register(router);
        new UsageRoutes(metering, functions, webhooks.targets(), clock).register(router);
        new KeyRoutes(keys).register(router);
        router.add("GET", "/healthz", Router.Access.PUBLIC,
                        c -> c.json(200, Map.of("status", ready ? "ok" : "starting")))
                .add("GET", "/metrics", Router.Access.CLIENT,
                        c -> c.text(200, "text/plain; version=0.0.4; charset=utf-8", this.metrics.scrape()));
        try {
            server = edge.bind(new InetSocketAddress(host, port), edgeLimits, tls, this::handle);
        } catch (BindException e) {
            throw new HearthException.Unavailable("cannot listen on " + host + ":" + port + ": " + e.getMessage()
                    + " (is another Hearth running? pick another --port)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
    }

    /** Adds the job timeline and log routes; call before {@link #start()}. */
    public void addObservability(JobService jobs, FunctionRegistry functions, WorkerPool pool,
                                 WorkerCommands commands, TimelineRecorder timeline) {
        new ObservabilityRoutes(jobs, functions, pool, commands, timeline).register(router);
    }

    /** Adds the volume routes; call before {@link #start()}. */
    public void addVolumes(dev.hearth.server.volumes.Volumes volumes, FunctionRegistry functions) {
        new VolumeRoutes(volumes, functions).register(router);
    }

    /** Adds the Python environment routes; call before {@link #start()}. */
    public void addEnvironments(dev.hearth.server.envs.PythonEnvs envs, FunctionRegistry functions) {
        new EnvRoutes(envs, functions).register(router);
    }

    /** Adds the alert rule routes; call before {@link #start()}. */
    public void addAlerts(dev.hearth.server.alerts.AlertService alerts, FunctionRegistry functions,
                          InstantSource clock) {
        new AlertRoutes(alerts, functions, clock).register(router);
    }

    /**
     * Adds {@code GET /v1/functions/{fn}/versions/{n}/schema}: the OpenAPI schema of a version's model (a Cog
     * predictor's), 404 when it declares none; call before {@link #start()}.
     */
    public void addModelSchemas(dev.hearth.functions.ModelSchemas schemas) {
        router.add("GET", "/v1/functions/{fn}/versions/{n}/schema", Router.Access.CLIENT, call -> {
            int version;
            try {
                version = Integer.parseInt(call.param("n"));
            } catch (NumberFormatException e) {
                throw new dev.hearth.errors.HearthException.BadRequest("a version is a number such as 3, got '"
                        + call.param("n") + "'");
            }
            String body = schemas.openApiSchema(call.param("fn"), version).orElseThrow(() ->
                    new dev.hearth.errors.HearthException.NotFound("version " + version + " of function '"
                            + call.param("fn") + "' has no model schema (only Cog predictors have one)"));
            call.text(200, "application/json", body);
        });
    }

    /**
     * Adds {@code GET /v1/cluster}: the control-plane nodes sharing the store, which one leads and its term; call
     * before {@link #start()}.
     */
    public void addCluster(java.util.function.Supplier<dev.hearth.cluster.ClusterView> cluster) {
        router.add("GET", "/v1/cluster", Router.Access.CLIENT, c -> c.json(200, ClusterJson.of(cluster.get())));
    }

    /** Adds the secret routes; call before {@link #start()}. */
    public void addSecrets(SecretService secrets) {
        new SecretRoutes(secrets).register(router);
    }

    /** Adds Replicate's API (predictions, models, files); call before {@link #start()}. */
    public void addReplicate(Replicate replicate) {
        new ReplicateRoutes(replicate).register(router);
    }

    /** Adds the routes a worker on another machine fetches its launch, bundle and worker library from. */
    public void addWorkerDownloads(WorkerRegistry workers, dev.hearth.server.workers.WorkerDownloads downloads,
                                   dev.hearth.server.workers.NodeCaches caches) {
        new WorkerBootRoutes(workers, downloads, caches).register(router);
    }

    public void start() {
        server.start();
    }

    /**
     * Serves before the control plane has rebuilt its state (its unfinished jobs, from the store): {@code /healthz}
     * answers {@code {"status":"starting"}}, every other route 503, until {@link #ready()}. So no caller sees a queue
     * that is still being loaded, while a supervisor sees a live process at once.
     */
    public void startBeforeReady() {
        ready = false;
        server.start();
    }

    /** Every route is served from now on. */
    public void ready() {
        ready = true;
    }

    public URI url() {
        InetSocketAddress a = server.address();
        String host = a.getAddress() == null || a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getHostString();
        return URI.create((server.tls() ? "https://" : "http://") + host + ":" + a.getPort());
    }

    private void handle(Exchange exchange) {
        Call call = null;
        LogContext ids = LogContext.current();
        try {
            if (!ready && !exchange.path().equals("/healthz")) {
                problem(new Call(exchange, Map.of()), 503, "Service Unavailable", "the server is starting: it is "
                        + "loading its unfinished jobs from the store; retry in a few seconds");
                return;
            }
            boolean[] otherMethod = {false};
            Router.Match m = router.match(exchange.method(), exchange.path(), otherMethod);
            call = new Call(exchange, m == null ? Map.of() : m.params());
            if (m == null) {
                if (otherMethod[0]) {
                    problem(call, 405, "Method Not Allowed", exchange.method() + " is not allowed on "
                            + exchange.path());
                } else {
                    problem(call, 404, "Not Found", "no such endpoint: " + exchange.method() + " "
                            + exchange.path() + " (see docs/api.md)");
                }
                return;
            }
            if (m.route().access() == Router.Access.CLIENT) {
                ApiKeys.Key key = keys.find(call.header("Authorization")).orElse(null);
                if (key == null) {
                    problem(call, 401, "Unauthorized", call.header("Authorization") == null
                            ? "missing API key: send 'Authorization: Bearer <key>'"
                            : "wrong API key; the key was printed at first start (or set HEARTH_API_KEY), or was "
                                    + "revoked");
                    return;
                }
                call.authenticated(key);
                exchange.authenticated(Exchange.Peer.CLIENT);
                if (!key.allows(exchange.method(), m.route().template(), m.params().get("fn"))) {
                    String denied = "the " + key.scope().wire() + " key '" + key.name() + "' may "
                            + "not " + exchange.method() + " " + exchange.path() + ": that needs "
                            + (key.scope().allows(exchange.method(), m.route().template())
                                    ? "a key for function '" + m.params().get("fn") + "' (this one is for "
                                            + String.join(", ", key.functions()) + ")"
                                    : "a key of scope " + KeyScope.required(exchange.method(), m.route().template())
                                            .wire() + " or admin");
                    problem(call, 403, "Forbidden", denied);
                    audit.record(call, m.route(), m.params(), denied);
                    return;
                }
            }
            ids = ids(m);
            Call routed = call;
            try {
                ids.call(() -> {
                    m.route().handler().handle(routed);
                    return null;
                });
                audit.record(call, m.route(), m.params(), null);
            } catch (HearthException e) {
                problem(call, e);
                audit.record(call, m.route(), m.params(), e.getMessage());
            }
        } catch (HearthException e) {
            problem(call, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem(call, 503, "Service Unavailable", "the server is shutting down");
        } catch (Exception e) {
            // a worker's URLs carry its token: not for the log
            ids.run(() -> LOG.log(Level.SEVERE, "unexpected error on " + exchange.method() + " "
                    + exchange.target().replaceAll("(" + WorkerCommands.TOKEN_PARAM + "=)[^&]*", "$1***"), e));
            problem(call, 500, "Internal Server Error", "unexpected error (" + e.getClass().getSimpleName()
                    + "); the server log has the details");
        }
    }

    /** The function, job and worker a request is about, from its path, for the log records written meanwhile. */
    private static LogContext ids(Router.Match m) {
        Map<String, String> p = m.params();
        boolean workerPath = m.route().parts().length > 1 && m.route().parts()[1].equals("workers");
        String job = p.get("job") != null ? p.get("job") : workerPath ? null : p.get("id");
        return LogContext.of(p.get("fn"), job, p.get("worker") != null ? p.get("worker") : workerPath ? p.get("id")
                : null);
    }

    private static void problem(Call call, HearthException e) {
        ErrorStatus s = ErrorStatus.of(e);
        problem(call, s.status(), s.title(), e.getMessage());
    }

    private static void problem(Call call, int status, String title, String detail) {
        if (call == null || call.answered()) {
            return;
        }
        ObjectNode n = problemBody(status, title, detail, call.path());
        try {
            call.send(status, "application/problem+json", Json.MAPPER.writeValueAsBytes(n));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            call.empty(status);
        }
    }

    /** The RFC 9457 problem of a refusal, with its kind's status. */
    static ObjectNode problemBody(HearthException e, String instance) {
        ErrorStatus s = ErrorStatus.of(e);
        return problemBody(s.status(), s.title(), e.getMessage(), instance);
    }

    /** An RFC 9457 problem, as every error answer carries it. */
    static ObjectNode problemBody(int status, String title, String detail, String instance) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", "about:blank");
        n.put("title", title);
        n.put("status", status);
        n.put("detail", detail);
        n.put("instance", instance);
        return n;
    }

    @Override
    public void close() {
        server.close();
    }
}
