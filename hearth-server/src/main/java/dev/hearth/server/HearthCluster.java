package dev.hearth.server;

import dev.hearth.cluster.ClusterView;
import dev.hearth.server.api.ApiKeys;
import dev.hearth.server.api.StandbyApi;
import dev.hearth.store.HearthStore;
import dev.hearth.store.Stores;
import dev.hearth.store.postgres.LeaderLease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One control-plane node of several sharing a PostgreSQL store ({@code hearth serve --store postgresql://...
 * --advertise-url URL}). One node leads, holding the {@link LeaderLease}: it runs a whole {@link HearthServer}
 * (dispatch, scaling, workers), whose every store write is fenced by its term. The others are standbys: they serve
 * {@code /v1/cluster} and pass every other request on to the leader ({@link StandbyApi}), and each tries every
 * {@value #POLL_MS} ms to take the lease, which the leader renews every {@value #RENEW_MS} ms for {@link #LEASE}.
 * A leader gone (killed, paused, cut off) is thus replaced within the lease plus a poll plus the new leader's start;
 * the new leader reads the unfinished jobs back from the store and requeues those that were running, their workers
 * having gone with the old leader. A leader that finds its lease taken, or cannot renew it for a whole lease, steps
 * down at once: it hands out no more jobs, and serves as a standby again.
 */
public final class HearthCluster implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HearthCluster.class.getName());

    /** How long a lease lasts unless renewed. */
    public static final Duration LEASE = Duration.ofMillis(2500);
    static final long RENEW_MS = 500;
    static final long POLL_MS = 100;

    private final ServerConfig config;
    private final LeaderLease lease;
    private final HearthStore shared;
    private final ApiKeys keys;
    private final ScheduledExecutorService timers;
    private final String advertised;
    private final int port;
    private final Instant joined = Instant.now();
    private volatile StandbyApi standby;
    private volatile HearthServer server;
    private volatile long term;
    private volatile long lastRenewed;
    private volatile Optional<URI> leaderUrl = Optional.empty();
    private volatile boolean closed;
    /** Whether the rehearsal is over: a takeover then costs no class loading (see {@link #rehearse}). */
    private volatile boolean warm;
    /** Readied ahead of a takeover (see {@link HearthServer.Prepared}). */
    private volatile HearthServer.Prepared prepared;

    private HearthCluster(ServerConfig config, String advertiseUrl) {
        this.config = config;
        this.shared = Stores.openMember(config.storeUrl());
        try {
            // the standby's keys: the same admin key and stored keys as the leader's
            this.keys = ApiKeys.load(shared, config.apiKey(), InstantSource.system());
            this.standby = standbyApi(config.port());
        } catch (RuntimeException e) {
            shared.close();
            throw e;
        }
        this.port = standby.port();
        this.advertised = advertiseUrl != null ? advertiseUrl
                : (config.tls() == null ? "http://" : "https://") + config.host() + ":" + port;
        try {
            this.lease = Stores.lease(config.storeUrl(), UUID.randomUUID().toString(), advertised);
        } catch (RuntimeException e) {
            standby.close();
            shared.close();
            throw e;
        }
        Thread.ofPlatform().daemon().name("hearth-cluster-rehearsal").start(() -> {
            rehearse(config);
            try {
                prepared = HearthServer.Prepared.of(config);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "could not ready the sandbox and interpreter ahead; the takeover does", e);
            }
            warm = true;
        });
        timers = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("hearth-cluster-", 0)
                .factory());
        heartbeat();
        timers.scheduleWithFixedDelay(this::heartbeat, 1, 1, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(this::renew, RENEW_MS, RENEW_MS, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::poll, 0, POLL_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Joins the nodes sharing {@code config}'s PostgreSQL store, as a standby at first; becomes the leader when none
     * leads.
     *
     * @param advertiseUrl where the other nodes reach this one; null for its own address and port
     * @throws IllegalArgumentException if the store is not PostgreSQL
     */
    public static HearthCluster start(ServerConfig config, String advertiseUrl) {
        if (config.storeUrl() == null) {
            throw new IllegalArgumentException("several control-plane nodes share a PostgreSQL store: "
                    + "--advertise-url needs --store postgresql://...");
        }
        return new HearthCluster(config, advertiseUrl);
    }

    /** Waits until this node leads or another does; for starts that print who leads. */
    public boolean awaitLeader(Duration atMost) throws InterruptedException {
        long end = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < end) {
            if (server != null || leaderUrl.isPresent()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** The API key generated by this start (the store had none and none was configured), to show once. */
    public Optional<String> newApiKey() {
        return keys.generated();
    }

    /** This node's URL: the one it advertises. */
    public URI url() {
        return URI.create(advertised);
    }

    /** The port this node serves on, as standby and as leader. */
    public int port() {
        return port;
    }

    /** The control plane while this node leads. */
    public Optional<HearthServer> leader() {
        return Optional.ofNullable(server);
    }

    /** The nodes, the leader and its term, from the store. */
    public ClusterView view() {
        try {
            return lease.view();
        } catch (SQLException e) {
            throw new dev.hearth.errors.HearthException.Unavailable("cannot read the cluster from the store: "
                    + e.getMessage());
        }
    }

    /**
     * Starts and stops a control plane once on a scratch SQLite store, port and data dir, while this node is a
     * standby: the first start in a JVM spends seconds loading and initializing the control plane's classes (and
     * probing the sandbox), which a takeover would otherwise add to the time without a leader. Then the node's own
     * sandbox probe, worker library and interpreter are readied ({@link HearthServer.Prepared}), the other slow part.
     */
    private static void rehearse(ServerConfig config) {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("hearth-standby-");
            long started = System.nanoTime();
            HearthServer.start(config.toBuilder().storeUrl(null).dataDir(scratch).host("127.0.0.1").port(0)
                    .tls(null).slurm(null).kubernetes(null).apiKey("standby-rehearsal-" + UUID.randomUUID())
                    .build()).close();
            LOG.fine(() -> "rehearsed a start in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "could not rehearse a start; a takeover takes longer", e);
        } finally {
            if (scratch != null) {
                deleteQuietly(scratch);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a scratch directory in the temp dir
        }
    }

    private void heartbeat() {
        try {
            lease.heartbeat();
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "could not record this node's presence", e);
        }
    }

    /** A standby: learns where the leader is, and takes the lead once the lease has run out. */
    private synchronized void poll() {
        if (closed || server != null) {
            return;
        }
        try {
            LeaderLease.Holder holder = lease.holder();
            leaderUrl = holder.live() && holder.url() != null && !lease.node().equals(holder.node())
                    ? Optional.of(URI.create(holder.url())) : Optional.empty();
            if (holder.live()) {
                return;
            }
            OptionalLong taken = lease.tryAcquire(LEASE);
            if (taken.isPresent()) {
                lead(taken.getAsLong());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not read or take the leader lease; trying again", e);
        }
    }

    private void lead(long newTerm) {
        term = newTerm;
        lastRenewed = System.nanoTime();
        leaderUrl = Optional.empty();
        LOG.info("taking the lead of the control plane (term " + newTerm + ")");
        long started = System.nanoTime();
        standby.close();
        try {
            server = HearthServer.startLeader(config.toBuilder().port(port).build(),
                    new HearthServer.Leadership(newTerm, this::view, prepared));
            LOG.info("leading the control plane at " + advertised + " (term " + newTerm + "), started in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "could not start as the leader of term " + newTerm + "; giving the lead up", e);
            term = 0;
            try {
                lease.release(newTerm);
            } catch (SQLException ignored) {
                // it runs out by itself
            }
            standby = standbyApi(port);
        }
    }

    private StandbyApi standbyApi(int onPort) {
        return new StandbyApi(config.host(), onPort, keys, this::view, () -> leaderUrl, () -> warm,
                config.edgeLimits(), config.tls());
    }

    /** The leader: renews its lease, and steps down once it lost it. */
    private void renew() {
        long t = term;
        if (closed || t == 0) {
            return;
        }
        boolean kept;
        try {
            kept = lease.renew(t, LEASE);
            if (kept) {
                lastRenewed = System.nanoTime();
            }
        } catch (SQLException | RuntimeException e) {
            // not known to be lost yet; lost for sure once a whole lease passed without a renewal
            kept = System.nanoTime() - lastRenewed < LEASE.toNanos();
            LOG.log(Level.WARNING, "could not renew the leader lease of term " + t, e);
        }
        if (!kept) {
            stepDown(t);
        }
    }

    private synchronized void stepDown(long t) {
        if (term != t || closed) {
            return;
        }
        LOG.warning("this node no longer leads (term " + t + " has ended): stepping down to standby");
        term = 0;
        HearthServer s = server;
        if (s != null) {
            s.stepDown();
        }
        server = null;
        standby = standbyApi(port);
    }

    /**
     * Leaves the cluster: a leader stops as {@link HearthServer#close()} does and then gives its lease up, so that
     * a standby takes over without waiting for it to run out.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        timers.shutdownNow();
        HearthServer s = server;
        long t = term;
        if (s != null) {
            s.close();
        } else {
            standby.close();
        }
        try {
            if (t != 0) {
                lease.release(t);
            }
            lease.leave();
        } catch (SQLException e) {
            LOG.log(Level.FINE, "could not leave the cluster; the lease runs out by itself", e);
        }
        lease.close();
        shared.close();
    }

    /** For tests: the term this node leads in, 0 as a standby. */
    long term() {
        return term;
    }
}
