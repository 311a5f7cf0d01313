package dev.hearth.cli;

import dev.hearth.client.Hearth;
import dev.hearth.client.NodeInfo;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code hearth nodes}. */
@Command(name = "nodes", description = "List the nodes workers are placed on: GPUs used and free, drain state.")
final class NodesCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        Context ctx = root.context();
        List<NodeInfo> nodes;
        try (Hearth hearth = client.connect(ctx)) {
            nodes = hearth.nodes();
        }
        print(nodes, ctx);
        return ExitCodes.OK;
    }

    static void print(List<NodeInfo> nodes, Context ctx) {
        Table t = new Table("NODE", "STATE", "GPUS", "USED", "FREE", "WORKERS", "IN-FLIGHT");
        for (NodeInfo n : nodes) {
            String types = n.gpus().stream().collect(Collectors.groupingBy(NodeInfo.NodeGpu::type,
                            java.util.TreeMap::new, Collectors.counting()))
                    .entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
            t.row(n.name(), n.state() + (n.graceEndsAt() == null ? "" : " (grace until " + n.graceEndsAt() + ")"),
                    types.isEmpty() ? "-" : types, n.gpusTotal() - n.gpusFree(), n.gpusFree(), n.workers(),
                    n.inFlight());
        }
        t.print(ctx.out());
    }
}
