package dev.hearth.cli;

import dev.hearth.client.Hearth;
import dev.hearth.client.VersionInfo;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth versions <function>}. */
@Command(name = "versions", description = "List a function's versions, newest first, and which is active or the "
        + "canary.")
final class VersionsCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FUNCTION", description = "The function.")
    String function;

    @Override
    public Integer call() {
        Context ctx = root.context();
        List<VersionInfo> versions;
        try (Hearth hearth = client.connect(ctx)) {
            versions = hearth.versions(function);
        }
        Table t = new Table("VERSION", "STATUS", "DEPLOYED", "BUNDLE");
        for (VersionInfo v : versions) {
            String status = v.canaryPercent() == null ? v.status() : v.status() + " " + v.canaryPercent() + "%";
            t.row(v.version(), status, v.deployedAt(),
                    v.bundleSha256() == null ? null : v.bundleSha256().substring(0, Math.min(12, v.bundleSha256()
                            .length())));
        }
        t.print(ctx.out());
        return ExitCodes.OK;
    }
}
