package dev.hearth.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code hearth serve}: the server in the foreground, for systemd, containers and scripts. */
@Command(name = "serve", description = "Run the Hearth server in the foreground until SIGTERM or Ctrl-C.")
final class ServeCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ServerOptions server;

    @Override
    public Integer call() {
        Context ctx = root.context();
        ServerRunner.Started s = ServerRunner.start(server, ctx);
        ctx.out().println("Hearth serving on " + s.server().url() + " (data dir " + s.dataDir() + ", GPUs: "
                + ServerRunner.describe(s.server().gpus()) + ")");
        ctx.out().println("Workers: " + s.server().workerSandbox());
        if (s.keyOrigin() == ServerRunner.KeyOrigin.GENERATED) {
            ctx.out().println("API key: " + ServerRunner.keyNote(s, ctx));
        }
        ServerRunner.runUntilSignal(s.server(), ctx);
        return ExitCodes.OK;
    }
}
