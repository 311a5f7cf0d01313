package dev.hearth.server.api;

import dev.hearth.cluster.ClusterView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/cluster}'s answer: {@code {"nodes": [{"url", "leader", "since", "lastSeen"}], "term"}}. */
final class ClusterJson {

    private ClusterJson() {
    }

    static Map<String, Object> of(ClusterView view) {
        List<Map<String, Object>> nodes = view.nodes().stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("url", n.url());
            m.put("leader", n.leader());
            m.put("since", n.since().toString());
            m.put("lastSeen", n.lastSeen().toString());
            return m;
        }).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("nodes", nodes);
        body.put("term", view.term());
        return body;
    }
}
