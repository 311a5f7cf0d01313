package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth alert create|ls|rm|history|export}: rules on functions' latency, failures, crash loops and spend. */
@Command(name = "alert", description = "Alert rules: conditions on latency, queue, failures, cold starts, crash "
        + "loops, GPU waits and spend that fire and resolve, sent as signed webhooks (json, Slack, PagerDuty).",
        subcommands = {AlertCommand.Create.class, AlertCommand.Ls.class, AlertCommand.Rm.class,
                AlertCommand.History.class, AlertCommand.Export.class})
final class AlertCommand extends CommandGroup {

    @Command(name = "create", description = "Create or replace an alert rule.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        AlertCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NAME", description = "The rule's name, e.g. slow-echo.")
        String name;

        @Option(names = "--function", paramLabel = "FN", description = "The function watched (default: all together).")
        String function;

        @Option(names = "--when", required = true, paramLabel = "CONDITION",
                description = "E.g. \"p95 latency > 2s for 5m\", \"failure rate > 5% over 10m\", \"crash loop\", "
                        + "\"no free gpu for 10m\", \"spend rate > $3/h\" (docs/operations.md, Alerts).")
        String when;

        @Option(names = "--webhook", paramLabel = "URL", description = "Where firings and resolutions are posted.")
        String webhook;

        @Option(names = "--format", paramLabel = "FORMAT", description = "json (default), slack or pagerduty.")
        String format;

        @Option(names = "--routing-key", paramLabel = "KEY", description = "PagerDuty's integration key "
                + "(with --format pagerduty).")
        String routingKey;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("name", name);
            if (function != null) {
                body.put("function", function);
            }
            body.put("when", when);
            if (webhook != null) {
                body.put("webhook", webhook);
            }
            if (format != null) {
                body.put("format", format);
            }
            if (routingKey != null) {
                body.put("routingKey", routingKey);
            }
            JsonNode a = ManagementCalls.of(client, ctx).post("/v1/alerts", body.toString());
            ctx.out().println("alert " + a.get("name").asText() + ": " + a.get("when").asText() + " on "
                    + scope(a) + (a.has("webhook") ? ", notifying " + a.get("webhook").asText() + " ("
                    + a.get("format").asText() + ")" : ", shown only (no --webhook)"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "ls", description = "List alert rules with their state and last value.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        AlertCommand parent;

        @Mixin
        ClientOptions client;

        @Option(names = "--firing", description = "Only the rules firing now.")
        boolean firing;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            JsonNode alerts = ManagementCalls.of(client, ctx).get("/v1/alerts" + (firing ? "?state=firing" : ""))
                    .get("alerts");
            if (alerts.isEmpty()) {
                ctx.out().println(firing ? "no alert is firing" : "no alert rules; create one with: hearth alert "
                        + "create slow-echo --function echo --when \"p95 latency > 2s for 5m\" --webhook URL");
                return ExitCodes.OK;
            }
            Table t = new Table("NAME", "FUNCTION", "WHEN", "STATE", "VALUE", "SINCE");
            alerts.forEach(a -> t.row(a.get("name").asText(), scope(a), a.get("when").asText(),
                    a.get("state").asText(), a.path("valueText").asText("-"), a.path("since").asText("-")));
            t.print(ctx.out());
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", description = "Delete an alert rule (its recorded firings are kept).")
    static final class Rm implements Callable<Integer> {
        @ParentCommand
        AlertCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NAME", description = "The rule.")
        String name;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            ManagementCalls.of(client, ctx).delete("/v1/alerts/" + name);
            ctx.out().println("removed alert " + name);
            return ExitCodes.OK;
        }
    }

    @Command(name = "history", description = "A rule's firings and resolutions, newest first, and their notifications.")
    static final class History implements Callable<Integer> {
        @ParentCommand
        AlertCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NAME", description = "The rule.")
        String name;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            JsonNode events = ManagementCalls.of(client, ctx).get("/v1/alerts/" + name + "/history").get("events");
            if (events.isEmpty()) {
                ctx.out().println("alert " + name + " has not fired");
                return ExitCodes.OK;
            }
            Table t = new Table("AT", "STATE", "SUMMARY", "NOTIFICATION");
            events.forEach(e -> t.row(e.get("at").asText(), e.get("state").asText(), e.get("summary").asText(),
                    e.get("notification").asText()));
            t.print(ctx.out());
            return ExitCodes.OK;
        }
    }

    @Command(name = "export", description = "Write the rules as Prometheus alerting rules over Hearth's metrics; "
            + "rules with no metric to compute them from are named on stderr.")
    static final class Export implements Callable<Integer> {
        @ParentCommand
        AlertCommand parent;

        @Mixin
        ClientOptions client;

        @Option(names = "--prometheus", required = true, description = "As a Prometheus rules file (the one format).")
        boolean prometheus;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
        Path output;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            String yaml = ManagementCalls.of(client, ctx).text("/v1/alerts?format=prometheus");
            StringBuilder rules = new StringBuilder();
            for (String line : yaml.split("\n", -1)) {
                if (line.startsWith("# not exported: ")) {
                    ctx.err().println(line.substring(2));
                } else {
                    rules.append(line).append('\n');
                }
            }
            String text = rules.toString().stripTrailing() + "\n";
            if (output == null) {
                ctx.out().print(text);
                ctx.out().flush();
                return ExitCodes.OK;
            }
            Path to = ctx.resolve(output);
            try {
                Files.writeString(to, text);
            } catch (IOException e) {
                throw CliException.failure("cannot write " + to + ": " + e.getMessage());
            }
            ctx.out().println("wrote " + to);
            return ExitCodes.OK;
        }
    }

    private static String scope(JsonNode a) {
        return a.path("function").isTextual() ? a.get("function").asText() : "all functions";
    }
}
