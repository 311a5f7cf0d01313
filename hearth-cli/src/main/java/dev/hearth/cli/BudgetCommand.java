package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth budget set|ls|rm}: spending caps per function or for all functions, per hour, day or month. */
@Command(name = "budget", description = "Spending caps: jobs beyond a budget are refused with 402.",
        subcommands = {BudgetCommand.Set.class, BudgetCommand.Ls.class, BudgetCommand.Rm.class})
final class BudgetCommand extends CommandGroup {

    /** Which budget: a function's, or with --global all functions'. */
    static final class Scope {
        @Parameters(paramLabel = "FUNCTION", arity = "0..1", description = "The function (or --global).")
        String function;

        @Option(names = "--global", description = "The budget of all functions together.")
        boolean global;

        String path(String period) {
            if (global == (function != null)) {
                throw CliException.usage("name a FUNCTION or give --global (not both)");
            }
            return global ? "/v1/budgets/global/" + period : "/v1/budgets/functions/" + function + "/" + period;
        }
    }

    @Command(name = "set", description = "Create or change a budget.")
    static final class Set implements Callable<Integer> {
        @ParentCommand
        BudgetCommand parent;

        @Mixin
        ClientOptions client;

        @Mixin
        Scope scope;

        @Option(names = "--period", required = true, paramLabel = "PERIOD",
                description = "hour (a spend-rate cap), day or month; calendar periods in UTC.")
        String period;

        @Option(names = "--limit", required = true, paramLabel = "USD", description = "The hard cap in US dollars.")
        BigDecimal limit;

        @Option(names = "--soft", paramLabel = "USD", description = "Warn (log and webhook) once spend reaches this.")
        BigDecimal soft;

        @Option(names = "--webhook", paramLabel = "URL", description = "Where the soft-threshold warning is POSTed.")
        String webhook;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("limit", limit);
            if (soft != null) {
                body.put("soft", soft);
            }
            if (webhook != null) {
                body.put("webhook", webhook);
            }
            JsonNode b = ManagementCalls.of(client, ctx).put(scope.path(period), body.toString());
            ctx.out().println(describe(b) + ": limit " + Json.money(b.get("limit")) + ", spent "
                    + Json.money(b.get("spent")) + ", resets at " + b.get("resetsAt").asText());
            return ExitCodes.OK;
        }
    }

    @Command(name = "ls", description = "List budgets and where they stand.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        BudgetCommand parent;

        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            JsonNode budgets = ManagementCalls.of(client, ctx).get("/v1/budgets").get("budgets");
            if (budgets.isEmpty()) {
                ctx.out().println("no budgets; set one with: hearth budget set FUNCTION --period day --limit 25");
                return ExitCodes.OK;
            }
            Table t = new Table("SCOPE", "PERIOD", "LIMIT", "SPENT", "RESERVED", "REMAINING", "SOFT", "RESETS");
            for (JsonNode b : budgets) {
                t.row(b.has("function") ? b.get("function").asText() : "(global)", b.get("period").asText(),
                        Json.money(b.get("limit")), Json.money(b.get("spent")),
                        Json.money(b.get("reserved")) + " (" + b.get("reservedJobs").asInt() + " jobs)",
                        Json.money(b.get("remaining")), b.has("soft") ? Json.money(b.get("soft")) : null,
                        b.get("resetsAt").asText());
            }
            t.print(ctx.out());
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", description = "Remove a budget.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand
        BudgetCommand parent;

        @Mixin
        ClientOptions client;

        @Mixin
        Scope scope;

        @Option(names = "--period", required = true, paramLabel = "PERIOD", description = "hour, day or month.")
        String period;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            ManagementCalls.of(client, ctx).delete(scope.path(period));
            ctx.out().println("removed the " + adjective(period) + " budget of "
                    + (scope.global ? "all functions" : scope.function));
            return ExitCodes.OK;
        }
    }

    static String describe(JsonNode b) {
        return "the " + adjective(b.get("period").asText()) + " budget of " + (b.has("function")
                ? "function '" + b.get("function").asText() + "'" : "all functions");
    }

    static String adjective(String period) {
        return switch (period) {
            case "hour" -> "hourly";
            case "day" -> "daily";
            case "month" -> "monthly";
            default -> period;
        };
    }
}
