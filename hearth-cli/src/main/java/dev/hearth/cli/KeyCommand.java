package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth key create|ls|revoke}: API keys with a scope (admin, deploy, invoke, read). */
@Command(name = "key", description = "API keys with a scope: admin, deploy, invoke (optionally per function) or read.",
        subcommands = {KeyCommand.Create.class, KeyCommand.Ls.class, KeyCommand.Revoke.class})
final class KeyCommand extends CommandGroup {

    @Command(name = "create", description = "Make a key; it is printed once, only its hash is stored.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        KeyCommand parent;

        @Mixin
        ClientOptions client;

        @Option(names = "--scope", required = true, paramLabel = "SCOPE",
                description = "admin (everything), deploy (functions, versions, scaling, secrets; and invoke, read), "
                        + "invoke (client calls at /v2) or read (status, logs, metrics, usage).")
        String scope;

        @Option(names = "--function", paramLabel = "FUNCTION",
                description = "An invoke key for this function only (repeatable).")
        List<String> functions = new ArrayList<>();

        @Option(names = "--name", paramLabel = "NAME", description = "What the key is for (default: the scope).")
        String name;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("name", name != null ? name : scope + (functions.isEmpty() ? "" : "-" + String.join("-",
                    functions)));
            body.put("scope", scope);
            ArrayNode fns = body.putArray("functions");
            functions.forEach(fns::add);
            JsonNode k = ManagementCalls.of(client, ctx).post("/v1/keys", body.toString());
            ctx.out().println(k.get("key").asText());
            ctx.err().println("made " + describe(k) + " (id " + k.get("id").asText() + "); this is the only time "
                    + "the key is shown");
            return ExitCodes.OK;
        }
    }

    @Command(name = "ls", description = "List keys (never the keys themselves).")
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        KeyCommand parent;

        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            JsonNode keys = ManagementCalls.of(client, ctx).get("/v1/keys").get("keys");
            Table t = new Table("ID", "NAME", "SCOPE", "FUNCTIONS", "CREATED");
            t.row("admin", "admin", "admin", "(all)", "first start");
            for (JsonNode k : keys) {
                t.row(k.get("id").asText(), k.get("name").asText(), k.get("scope").asText(), functions(k),
                        k.get("createdAt").asText());
            }
            t.print(ctx.out());
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", description = "Revoke a key: it is refused from the next request on.")
    static final class Revoke implements Callable<Integer> {
        @ParentCommand
        KeyCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "KEY", description = "The key's id or name.")
        String key;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            JsonNode k = ManagementCalls.of(client, ctx).delete("/v1/keys/" + key);
            ctx.out().println("revoked " + describe(k));
            return ExitCodes.OK;
        }
    }

    private static String describe(JsonNode k) {
        return "the " + k.get("scope").asText() + " key '" + k.get("name").asText() + "'"
                + (k.get("functions").isEmpty() ? "" : " for " + functions(k));
    }

    private static String functions(JsonNode k) {
        List<String> out = new ArrayList<>();
        k.get("functions").forEach(f -> out.add(f.asText()));
        return out.isEmpty() ? "(all)" : String.join(", ", out);
    }
}
