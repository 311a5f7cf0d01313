package dev.hearth.cli;

import dev.hearth.client.Hearth;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every client command shares: which server, which key, where {@code client.json} is. */
final class ClientOptions {

    @Option(names = "--url", paramLabel = "URL", description = "The Hearth server (default: $HEARTH_URL, "
            + "then client.json, then http://127.0.0.1:8420).")
    String url;

    @Option(names = "--key", paramLabel = "KEY", description = "The API key (default: $HEARTH_API_KEY, then "
            + "client.json).")
    String key;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".hearth",
            description = "The data dir whose client.json to read (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--ca-file", paramLabel = "FILE", description = "PEM CA certificates to trust for an https "
            + "server with a private or self-signed certificate (default: $HEARTH_CA_FILE).")
    Path caFile;

    /** The CA file to trust: --ca-file, else $HEARTH_CA_FILE; null for the JDK's own trust. */
    Path caFile(Context ctx) {
        if (caFile != null) {
            return ctx.resolve(caFile);
        }
        String env = ctx.variable(Hearth.CA_FILE_VARIABLE);
        return env == null || env.isBlank() ? null : ctx.resolve(Path.of(env.strip()));
    }

    Credentials credentials(Context ctx) {
        return Credentials.resolve(url, key, ctx, ctx.resolve(dataDir));
    }

    /** A client for the resolved server; fails with a usage error when no key can be found. */
    Hearth connect(Context ctx) {
        Credentials c = credentials(ctx);
        try {
            return Hearth.connect(c.url(), c.requireKey(ctx.resolve(dataDir)), caFile(ctx));
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }
}
