package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code hearth cluster}: the control-plane nodes sharing the store, which one leads and since when. */
@Command(name = "cluster", description = "List the control-plane nodes sharing the store: which one leads, since "
        + "when, and when each was last seen.")
final class ClusterCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        Context ctx = root.context();
        JsonNode cluster = ManagementCalls.of(client, ctx).get("/v1/cluster");
        Table t = new Table("NODE", "ROLE", "SINCE", "LAST SEEN");
        for (JsonNode n : cluster.get("nodes")) {
            t.row(n.get("url").asText(), n.get("leader").asBoolean() ? "leader" : "standby", n.get("since").asText(),
                    n.get("lastSeen").asText());
        }
        t.print(ctx.out());
        ctx.out().println("term " + cluster.get("term").asLong());
        return ExitCodes.OK;
    }
}
