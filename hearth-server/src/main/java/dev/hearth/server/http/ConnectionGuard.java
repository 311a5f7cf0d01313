package dev.hearth.server.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;

/**
 * Watches every HTTP connection of the edge: caps unauthenticated connections and connections per client address
 * (workers' connections are outside both caps, on a reserve of their own), and closes a connection whose request
 * head, request body or answer's write has run past its deadline, or that has sat idle too long.
 *
 * <p>Deadlines are enforced by one sweeper thread rather than by a timeout on each read: Jetty's idle timeout
 * restarts with every byte, so a client sending one byte every few seconds would never meet it. A connection's
 * phase is kept in a few volatile fields that the request's thread sets and the sweeper reads.
 */
final class ConnectionGuard implements Connection.Listener {

    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class.getName());

    /** One connection and what it is waiting for. */
    static final class Tracked {
        final Connection connection;
        final InetAddress address;
        final long openedAt = System.nanoTime();
        /** Null until a request proves who is on the other end. */
        volatile Exchange.Peer peer;
        /** True while a request is being handled (the head is in); the sweeper then only watches {@link #deadline}. */
        volatile boolean busy;
        /** Since when the connection has waited for a request, and how many bytes it had read by then. */
        volatile long idleSince = System.nanoTime();
        volatile long bytesWhenIdle;
        /** When bytes of the next head were first seen (0: none yet). */
        volatile long headSeenAt;
        /** The deadline of the body being read or the write under way (0: none). */
        volatile long deadline;
        /** Still counted against the caps (false once closed or pushed out). */
        boolean counted = true;

        Tracked(Connection connection, InetAddress address) {
            this.connection = connection;
            this.address = address;
        }

        void requestStarted() {
            busy = true;
            headSeenAt = 0;
        }

        void requestEnded() {
            deadline = 0;
            bytesWhenIdle = connection.getBytesIn();
            headSeenAt = 0;
            idleSince = System.nanoTime();
            busy = false;
        }
    }

    private final EdgeLimits limits;
    private final Map<Connection, Tracked> open = new ConcurrentHashMap<>();
    /** Guarded by this: unauthenticated connections and client (non-worker) connections per address. */
    private int unauthenticated;
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final Thread sweeper;
    private volatile boolean closed;

    ConnectionGuard(EdgeLimits limits) {
        this.limits = limits;
        this.sweeper = Thread.ofPlatform().daemon().name("hearth-http-deadlines").unstarted(this::sweepLoop);
    }

    void start() {
        sweeper.start();
    }

    void stop() {
        closed = true;
        sweeper.interrupt();
    }

    /** The connection a request came on, or null if it is not watched (it was just closed, say). */
    Tracked tracked(Connection connection) {
        return open.get(connection);
    }

    @Override
    public void onOpened(Connection connection) {
        // With TLS a socket has two connections, the TLS one and the HTTP one over it: only the latter is watched
        if (connection instanceof org.eclipse.jetty.io.ssl.SslConnection) {
            return;
        }
        EndPoint ep = connection.getEndPoint();
        InetAddress address = ep.getRemoteSocketAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        Tracked t = new Tracked(connection, address);
        boolean admitted;
        synchronized (this) {
            admitted = admit(t);
        }
        if (admitted) {
            open.put(connection, t);
        } else {
            LOG.log(Level.FINE, "refused a connection from {0}: too many idle connections", address);
            close(connection);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        Tracked t = open.remove(connection);
        if (t != null) {
            synchronized (this) {
                uncount(t);
            }
        }
    }

    /** Counts a new connection, pushing out the oldest idle unauthenticated one where a cap is reached. */
    private boolean admit(Tracked t) {
        if (unauthenticated >= limits.maxUnauthenticated() && !pushOutOldestIdle(null)) {
            return false;
        }
        if (t.address != null && perAddress.getOrDefault(t.address, 0) >= limits.maxPerAddress()
                && !pushOutOldestIdle(t.address)) {
            return false;
        }
        unauthenticated++;
        if (t.address != null) {
            perAddress.merge(t.address, 1, Integer::sum);
        }
        return true;
    }

    /** Closes the unauthenticated connection (from {@code address}, if given) that has waited longest for a request. */
    private boolean pushOutOldestIdle(InetAddress address) {
        // one that has sent nothing of a next request goes first, then the one idle longest
        Tracked oldest = null;
        boolean oldestSilent = false;
        for (Tracked c : open.values()) {
            if (!c.counted || c.peer != null || c.busy || (address != null && !address.equals(c.address))) {
                continue;
            }
            boolean silent = c.connection.getBytesIn() == c.bytesWhenIdle;
            if (oldest == null || (silent && !oldestSilent)
                    || (silent == oldestSilent && c.idleSince - oldest.idleSince < 0)) {
                oldest = c;
                oldestSilent = silent;
            }
        }
        if (oldest == null) {
            return false;
        }
        uncount(oldest);
        close(oldest.connection);
        return true;
    }

    private void uncount(Tracked t) {
        if (!t.counted) {
            return;
        }
        t.counted = false;
        if (t.peer == null) {
            unauthenticated--;
        }
        if (t.peer != Exchange.Peer.WORKER && t.address != null) {
            perAddress.computeIfPresent(t.address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** A request on {@code t} carried a valid key or token. */
    void authenticated(Tracked t, Exchange.Peer peer) {
        Exchange.Peer was = t.peer;
        if (was == peer || was == Exchange.Peer.WORKER) {
            return;
        }
        synchronized (this) {
            if (t.counted) {
                if (t.peer == null) {
                    unauthenticated--;
                }
                if (peer == Exchange.Peer.WORKER && t.address != null) {
                    perAddress.computeIfPresent(t.address, (a, n) -> n <= 1 ? null : n - 1);
                }
            }
            t.peer = peer;
        }
    }

    private void sweepLoop() {
        long every = Math.clamp(Math.min(limits.headTimeout().toNanos(),
                        Math.min(limits.bodyTimeoutFloor().toNanos(), limits.writeTimeout().toNanos())) / 4,
                TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1));
        long idle = limits.idleTimeout().toNanos();
        long head = limits.headTimeout().toNanos();
        while (!closed) {
            try {
                TimeUnit.NANOSECONDS.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Tracked t : open.values()) {
                long deadline = t.deadline;
                if (deadline != 0 && now - deadline > 0) {
                    close(t.connection);
                } else if (!t.busy) {
                    if (t.connection.getBytesIn() != t.bytesWhenIdle) {
                        // the next head has begun: from the first time it is seen, it has headTimeout to finish
                        long seen = t.headSeenAt;
                        if (seen == 0) {
                            t.headSeenAt = now;
                        } else if (now - seen > head && !t.busy) {
                            close(t.connection);
                        }
                    } else {
                        t.headSeenAt = 0;
                        if (now - t.idleSince > idle && !t.busy) {
                            close(t.connection);
                        }
                    }
                }
            }
        }
    }

    private static void close(Connection c) {
        try {
            c.getEndPoint().close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing a connection failed", e);
        }
    }
}
