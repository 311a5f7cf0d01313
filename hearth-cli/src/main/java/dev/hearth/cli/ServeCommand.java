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
        if (server.advertiseUrl != null) {
            return clusterNode(ctx);
        }
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

    /** One of several control-plane nodes on a PostgreSQL store: a standby until it takes the lead. */
    private Integer clusterNode(Context ctx) {
        java.net.URI advertised;
        try {
            advertised = new java.net.URI(server.advertiseUrl);
        } catch (java.net.URISyntaxException e) {
            advertised = java.net.URI.create("invalid:/");
        }
        if (!("http".equals(advertised.getScheme()) || "https".equals(advertised.getScheme()))
                || advertised.getHost() == null) {
            throw CliException.usage("--advertise-url must be an http:// or https:// URL with a host, like "
                    + "http://10.0.0.5:8420, got '" + server.advertiseUrl + "'");
        }
        dev.hearth.server.ServerConfig config = ServerRunner.config(server, ctx);
        if (config.storeUrl() == null) {
            throw CliException.usage("--advertise-url runs one of several control-plane nodes sharing a PostgreSQL "
                    + "store: give --store postgresql://... (or $" + ServerRunner.STORE_VARIABLE + ")");
        }
        dev.hearth.server.HearthCluster node;
        try {
            node = dev.hearth.server.HearthCluster.start(config, server.advertiseUrl);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        ctx.out().println("Hearth control-plane node serving on port " + node.port() + ", advertised as "
                + node.url() + " (data dir " + config.dataDir() + "); it leads when no other node does "
                + "(hearth cluster shows which)");
        node.newApiKey().ifPresent(k -> ctx.out().println("API key: " + k + "   (new: shown only this once; every "
                + "node of the store accepts it)"));
        ServerRunner.runUntilSignal(node::close, ctx);
        return ExitCodes.OK;
    }
}
