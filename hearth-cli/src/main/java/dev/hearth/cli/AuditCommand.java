package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hearth audit}: who deployed, rolled back, rescaled, drained, changed a budget or a key, and when. */
@Command(name = "audit", description = "The audit log: every management action, who made it and how it ended.")
final class AuditCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Option(names = "--function", paramLabel = "FUNCTION", description = "Only actions on this function.")
    String function;

    @Option(names = "--action", paramLabel = "ACTION", description = "Only this action (deploy, scale, promote, ...).")
    String action;

    @Option(names = "--by", paramLabel = "KEY", description = "Only actions made with the key of this name.")
    String by;

    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "24h",
            description = "From when: a duration back from now (24h, 7d), a date or an instant (default: 24h).")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most this many (default: 100).")
    int limit;

    @Override
    public Integer call() {
        Context ctx = root.context();
        StringJoiner q = new StringJoiner("&", "/v1/audit?", "");
        q.add("since=" + enc(since)).add("limit=" + limit);
        if (function != null) {
            q.add("function=" + enc(function));
        }
        if (action != null) {
            q.add("action=" + enc(action));
        }
        if (by != null) {
            q.add("key=" + enc(by));
        }
        JsonNode entries = ManagementCalls.of(client, ctx).get(q.toString()).get("entries");
        if (entries.isEmpty()) {
            ctx.out().println("no management actions since " + since);
            return ExitCodes.OK;
        }
        Table t = new Table("TIME", "KEY", "ACTION", "TARGET", "OUTCOME", "CHANGE", "FROM");
        for (JsonNode e : entries) {
            t.row(e.get("at").asText(), e.get("key").asText(), e.get("action").asText(), e.path("target").asText(null),
                    e.get("outcome").asText().equals("ok") ? "ok" : e.get("status").asInt() + " " + e.get("outcome")
                            .asText(), e.path("change").asText(null), e.path("address").asText(null));
        }
        t.print(ctx.out());
        return ExitCodes.OK;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
