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

    Credentials credentials(Context ctx) {
        return Credentials.resolve(url, key, ctx, ctx.resolve(dataDir));
    }

    /** A client for the resolved server; fails with a usage error when no key can be found. */
    Hearth connect(Context ctx) {
        Credentials c = credentials(ctx);
        return Hearth.connect(c.url(), c.requireKey(ctx.resolve(dataDir)));
    }
}
