package dev.hearth.cli;

import dev.hearth.client.Deployment;
import dev.hearth.client.Hearth;
import dev.hearth.client.HearthClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hearth up}: {@code serve} for people: optionally deploys the examples, then says how to use it. */
@Command(name = "up", description = "Start Hearth in the foreground and print how to use it.")
final class UpCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ServerOptions server;

    @Option(names = "--examples", description = "Deploy every examples/*/hearth.yaml (and Cog models' "
            + "cog.yaml) under the current directory.")
    boolean examples;

    @Override
    public Integer call() {
        Context ctx = root.context();
        ServerRunner.Started s = startAndReport(ctx);
        ServerRunner.runUntilSignal(s.server(), ctx);
        return ExitCodes.OK;
    }

    /** Everything but the waiting, so that tests can check what {@code up} does and says. */
    ServerRunner.Started startAndReport(Context ctx) {
        ServerRunner.Started s = ServerRunner.start(server, ctx);
        List<String> deployed = examples ? deployExamples(s, ctx) : List.of();
        var out = ctx.out();
        out.println("Hearth is up at " + s.server().url());
        out.println("  data dir: " + ServerRunner.relative(s.dataDir(), ctx));
        out.println("  API key:  " + ServerRunner.keyNote(s, ctx));
        out.println("  GPUs:     " + ServerRunner.describe(s.server().gpus()));
        out.println("  workers:  " + s.server().workerSandbox());
        if (!deployed.isEmpty()) {
            out.println("  deployed: " + String.join(", ", deployed));
        }
        String fn = deployed.stream().anyMatch(d -> d.startsWith("echo ")) ? "echo"
                : deployed.isEmpty() ? "echo" : deployed.getFirst().split(" ")[0];
        out.println("Try it:");
        out.println("  " + curl(s, fn));
        out.println("  ./hearth run " + fn + " --input '{\"x\":1}'");
        out.println("  open " + s.server().url() + "/ in a browser for the dashboard");
        out.println("Stop with Ctrl-C.");
        return s;
    }

    /**
     * A curl that works when pasted as printed: a new key inline (it is on the screen already), a key from before
     * read out of client.json (so that it is not shown again), else a placeholder to replace.
     */
    static String curl(ServerRunner.Started s, String fn) {
        String request = "curl -H \"Authorization: Bearer $KEY\" -d '{\"input\":{\"x\":1}}' " + s.server().url()
                + "/v2/" + fn + "/runsync";
        if (s.apiKey() == null) {
            return "KEY=<the API key>; " + request;
        }
        if (s.keyOrigin() == ServerRunner.KeyOrigin.GENERATED) {
            return "KEY=" + s.apiKey() + "; " + request;
        }
        return "KEY=$(sed -n 's/.*\"apiKey\" *: *\"\\([^\"]*\\)\".*/\\1/p' "
                + shellQuoted(s.clientFile().toAbsolutePath().toString()) + "); " + request;
    }

    private static String shellQuoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** What an example needs before it can be deployed (the volumes it names must exist), or null. */
    static String needsPreparation(Path manifest) {
        try {
            var volumes = dev.hearth.functions.ManifestParser.parse(Files.readString(manifest)).volumes();
            return volumes.isEmpty() ? null : "it needs the volume(s) " + String.join(", ", volumes.keySet())
                    + ": hearth volume create NAME";
        } catch (IOException | RuntimeException e) {
            return null; // the deploy says what is wrong with it
        }
    }

    /** Deploys over HTTP like any client would, so the examples prove the whole path works. */
    private List<String> deployExamples(ServerRunner.Started s, Context ctx) {
        Path dir = ctx.cwd().resolve(Examples.DIR);
        List<Path> manifests = Examples.manifests(dir);
        if (manifests.isEmpty()) {
            ctx.err().println("warning: --examples found no examples/*/hearth.yaml under " + ctx.cwd());
            return List.of();
        }
        if (s.apiKey() == null) {
            ctx.err().println("warning: not deploying the examples: the API key of this data dir is not known here;"
                    + " restart with " + Hearth.KEY_VARIABLE + "=<key>");
            return List.of();
        }
        List<String> deployed = new ArrayList<>();
        try (Hearth hearth = Hearth.connect(s.server().url(), s.apiKey())) {
            for (Path manifest : manifests) {
                String needs = needsPreparation(manifest);
                if (needs != null) {
                    // an example that needs something created or installed first says so rather than failing
                    ctx.out().println("not deployed: " + ServerRunner.relative(manifest.getParent(), ctx) + " (" + needs
                            + "; see its README.md)");
                    continue;
                }
                try {
                    Deployment d = hearth.deploy(manifest);
                    deployed.add(d.name() + " v" + d.version());
                } catch (HearthClientException e) {
                    ctx.err().println("warning: could not deploy " + ServerRunner.relative(manifest, ctx) + ": "
                            + e.getMessage());
                }
            }
        }
        return deployed;
    }
}
