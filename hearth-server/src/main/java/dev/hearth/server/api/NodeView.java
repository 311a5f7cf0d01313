package dev.hearth.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.placement.BestFitPlacement;
import dev.hearth.placement.Gpu;
import dev.hearth.server.workers.Nodes;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerPool;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A node as {@code GET /v1/nodes} shows it: its drain state, its GPUs and which worker holds each. */
final class NodeView {

    private NodeView() {
    }

    static ObjectNode of(Nodes.Status status, WorkerPool pool) {
        List<Worker> workers = pool.workers(null).stream().filter(w -> w.node().equals(status.name())).toList();
        Map<Gpu, String> holder = new HashMap<>();
        workers.forEach(w -> w.gpus().forEach(g -> holder.put(g, w.id())));
        java.util.Set<Gpu> outside = pool.heldElsewhere();
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", status.name());
        n.put("state", status.state().name());
        if (status.graceEndsAt() != null) {
            n.put("graceEndsAt", status.graceEndsAt().toString());
        }
        List<Gpu> gpus = pool.inventory().stream().filter(g -> g.node().equals(status.name())).toList();
        n.put("gpusTotal", gpus.size());
        n.put("gpusFree", gpus.stream().filter(g -> !holder.containsKey(g) && !outside.contains(g)).count());
        n.put("workers", workers.size());
        n.put("inFlight", workers.stream().mapToInt(Worker::inFlightCount).sum());
        Map<Gpu, String> groups = BestFitPlacement.groups(gpus);
        ArrayNode arr = n.putArray("gpus");
        for (Gpu g : gpus) {
            ObjectNode o = arr.addObject();
            o.put("index", g.index());
            o.put("type", g.type());
            o.put("group", groups.get(g));
            if (holder.containsKey(g)) {
                o.put("worker", holder.get(g));
            } else if (outside.contains(g)) {
                o.put("heldOutside", true); // by another user's job of the cluster's scheduler
            }
        }
        return n;
    }
}
