package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth secret set|ls|rm}: named secrets that functions list under {@code secrets:} in their manifest. */
@Command(name = "secret", description = "Secrets: KEY=VALUE sets that become environment variables of the workers "
        + "of the functions naming them (secrets: [NAME] in hearth.yaml).",
        subcommands = {SecretCommand.Set.class, SecretCommand.Ls.class, SecretCommand.Rm.class})
final class SecretCommand extends CommandGroup {

    @Command(name = "set", description = "Create or replace a secret; workers started from now on get its values.")
    static final class Set implements Callable<Integer> {
        @ParentCommand
        SecretCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME", description = "The secret's name, e.g. hf-token.")
        String name;

        @Parameters(index = "1..*", paramLabel = "KEY=VALUE", description = "Its variables (they win over the file's).")
        List<String> pairs = List.of();

        @Option(names = "--from-env-file", paramLabel = "FILE",
                description = "Read KEY=VALUE lines from a .env file (# comments, optional export and quotes).")
        Path envFile;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            Map<String, String> values = new LinkedHashMap<>();
            if (envFile != null) {
                values.putAll(readEnvFile(ctx.resolve(envFile)));
            }
            for (String pair : pairs) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw CliException.usage("'" + (eq < 0 ? pair : "=...") + "' is not KEY=VALUE");
                }
                values.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            if (values.isEmpty()) {
                throw CliException.usage("give KEY=VALUE pairs or --from-env-file FILE");
            }
            ObjectNode body = Json.MAPPER.createObjectNode();
            values.forEach(body::put);
            JsonNode s = ManagementCalls.of(client, ctx).put("/v1/secrets/" + name, body.toString());
            ctx.out().println("set secret " + s.get("name").asText() + " (" + keys(s) + ")");
            return ExitCodes.OK;
        }
    }

    @Command(name = "ls", description = "List secrets: names, keys and when they were set (never values).")
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        SecretCommand parent;

        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            JsonNode secrets = ManagementCalls.of(client, ctx).get("/v1/secrets").get("secrets");
            if (secrets.isEmpty()) {
                ctx.out().println("no secrets; set one with: hearth secret set hf-token HF_TOKEN=hf_...");
                return ExitCodes.OK;
            }
            Table t = new Table("NAME", "KEYS", "UPDATED");
            secrets.forEach(s -> t.row(s.get("name").asText(), keys(s), s.get("updatedAt").asText()));
            t.print(ctx.out());
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", description = "Remove a secret that no deployed function names.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand
        SecretCommand parent;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NAME", description = "The secret.")
        String name;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            ManagementCalls.of(client, ctx).delete("/v1/secrets/" + name);
            ctx.out().println("removed secret " + name);
            return ExitCodes.OK;
        }
    }

    private static String keys(JsonNode s) {
        StringBuilder b = new StringBuilder();
        s.get("keys").forEach(k -> b.append(b.isEmpty() ? "" : ", ").append(k.asText()));
        return b.toString();
    }

    /** KEY=VALUE lines as docker and python-dotenv read them, without variable expansion. */
    static Map<String, String> readEnvFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw CliException.usage("cannot read --from-env-file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw CliException.usage(file + " line " + (i + 1) + " is not KEY=VALUE");
            }
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            values.put(line.substring(0, eq).strip(), value);
        }
        return values;
    }
}
