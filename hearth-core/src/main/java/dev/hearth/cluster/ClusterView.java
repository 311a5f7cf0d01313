package dev.hearth.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The control-plane nodes sharing one store, as any of them sees it: who leads, since when, and when each node was
 * last heard of.
 *
 * @param term  the leader's term: raised by one each time a node takes the lead; 0 before any node led
 * @param nodes the nodes heard of recently, the leader (if any) first
 */
public record ClusterView(long term, List<Node> nodes) {

    public ClusterView {
        nodes = List.copyOf(nodes);
    }

    /**
     * One control-plane node.
     *
     * @param url      the URL it advertises: where other nodes send it the worker calls they receive
     * @param leader   whether it holds the leader lease now
     * @param since    when it started to lead, or (a standby) when it joined
     * @param lastSeen when it last renewed its presence
     */
    public record Node(String url, boolean leader, Instant since, Instant lastSeen) {

        public Node {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(lastSeen, "lastSeen");
        }
    }
}
