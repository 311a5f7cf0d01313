package dev.hearth.cli;

import dev.hearth.client.Deployment;
import dev.hearth.client.Hearth;
import dev.hearth.releases.CanarySplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth deploy <hearth.yaml>}. */
@Command(name = "deploy", description = "Deploy a function: upload the manifest's directory as a new version. "
        + "With a python: block, its environment is built first (pip's output is printed as it comes); the new "
        + "version serves once it is ready, and a failed build leaves the previous version serving.")
final class DeployCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "MANIFEST", description = "The function's hearth.yaml (or its directory), or a Cog "
            + "model's cog.yaml (named after its directory unless a hearth.yaml beside it gives a name).")
    Path manifest;

    @Option(names = "--canary", paramLabel = "PERCENT", description = "Deploy as a canary that receives this share "
            + "of new jobs (e.g. 10%%); the active version keeps the rest until `hearth promote` or `hearth rollback`.")
    String canary;

    @Override
    public Integer call() {
        Context ctx = root.context();
        Path file = ctx.resolve(manifest);
        if (Files.isDirectory(file)) {
            // a Cog model's directory has a cog.yaml and may have no hearth.yaml
            file = !Files.exists(file.resolve("hearth.yaml")) && Files.exists(file.resolve("cog.yaml"))
                    ? file.resolve("cog.yaml") : file.resolve("hearth.yaml");
        }
        if (!Files.isRegularFile(file)) {
            throw CliException.usage("no manifest at " + file);
        }
        try (Hearth hearth = client.connect(ctx)) {
            if (canary != null) {
                int percent = CanarySplit.parsePercent(canary);
                Deployment d = hearth.deploy(file, percent, ctx.err()::println);
                ctx.out().println("deployed " + d.name() + " version " + d.version() + " as a canary for " + percent
                        + "% of new jobs (bundle sha256 " + d.bundleSha256() + "); then: hearth promote " + d.name()
                        + " or hearth rollback " + d.name());
                return ExitCodes.OK;
            }
            Deployment d = hearth.deploy(file, ctx.err()::println);
            ctx.out().println("deployed " + d.name() + " version " + d.version() + " (bundle sha256 "
                    + d.bundleSha256() + ")");
        }
        return ExitCodes.OK;
    }
}
