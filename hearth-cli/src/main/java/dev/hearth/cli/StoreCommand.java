package dev.hearth.cli;

import dev.hearth.server.functions.BundleLimits;
import dev.hearth.server.functions.BundleStore;
import dev.hearth.store.PostgresUrl;
import dev.hearth.store.Stores;
import dev.hearth.store.jdbc.JdbcStore;
import dev.hearth.store.jdbc.StoreCopy;
import dev.hearth.store.postgres.PostgresStore;
import dev.hearth.store.sqlite.SqliteStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth store copy}: moves an installation's database into PostgreSQL, with the server stopped. */
@Command(name = "store", description = "Move an installation's store: hearth store copy --from DIR|URL --to URL.",
        subcommands = {StoreCommand.Copy.class})
final class StoreCommand implements Runnable {

    @ParentCommand
    HearthCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say 'copy', e.g. hearth store copy --from .hearth "
                + "--to postgresql://hearth@db:5432/hearth");
    }

    @Command(name = "copy", description = "Copy every table (functions, versions and their code bundles, jobs, "
            + "usage, budgets, secrets, settings, audit log) into an empty PostgreSQL store. Stop the server first.")
    static final class Copy implements Callable<Integer> {

        @ParentCommand
        StoreCommand parent;

        @Option(names = "--from", required = true, paramLabel = "DIR|URL",
                description = "A data directory (its SQLite store and code bundles) or a PostgreSQL URL.")
        String from;

        @Option(names = "--to", required = true, paramLabel = "URL",
                description = "An empty PostgreSQL store, e.g. postgresql://hearth@db:5432/hearth?schema=hearth.")
        String to;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            PostgresUrl target;
            try {
                target = PostgresUrl.parse(to, "--to");
            } catch (IllegalArgumentException e) {
                throw CliException.usage(e.getMessage());
            }
            Path dataDir = null;
            if (!PostgresUrl.looksLikeOne(from)) {
                dataDir = ctx.resolve(Path.of(from));
                if (!Files.isRegularFile(dataDir.resolve("hearth.db"))) {
                    throw CliException.usage("--from: " + dataDir + " is not a Hearth data directory (it has no "
                            + "hearth.db); give the server's --data-dir or a postgresql:// URL");
                }
            }
            Map<String, Long> copied;
            // opening a data dir's store fails while a server has it open: the copy runs with the server stopped
            try (JdbcStore source = dataDir != null ? SqliteStore.open(dataDir) : open(from, "--from");
                 PostgresStore destination = Stores.open(target)) {
                copied = StoreCopy.copy(source, destination, dataDir == null ? null : bundleFiles(dataDir));
            }
            ctx.out().println("copied " + (dataDir != null ? ServerRunner.relative(dataDir, ctx) : from) + " to "
                    + target + ":");
            Table t = new Table("TABLE", "ROWS");
            copied.forEach((table, rows) -> t.row(table, Long.toString(rows)));
            t.print(ctx.out());
            ctx.out().println("Serve from it with: hearth serve --store " + target
                    + (dataDir != null ? " (with --data-dir " + ServerRunner.relative(dataDir, ctx)
                    + " or its secret.key, or $HEARTH_SECRET_KEY: secrets stay sealed with that key)" : ""));
            return ExitCodes.OK;
        }

        private static PostgresStore open(String url, String option) {
            try {
                return Stores.open(PostgresUrl.parse(url, option));
            } catch (IllegalArgumentException e) {
                throw CliException.usage(e.getMessage());
            }
        }

        /** The data dir's unpacked bundles, zipped again one by one for the target's bundles table. */
        private static StoreCopy.BundleSource bundleFiles(Path dataDir) {
            BundleStore bundles = new BundleStore(dataDir.resolve("bundles"), BundleLimits.DEFAULT);
            return sink -> {
                try {
                    bundles.forEachZipped((sha, zip) -> {
                        try {
                            sink.accept(new StoreCopy.Bundle(sha, zip));
                        } catch (SQLException e) {
                            throw new IOException(e.getMessage(), e);
                        }
                    });
                } catch (IOException e) {
                    throw new SQLException("cannot copy the code bundles of " + dataDir + ": " + e.getMessage(), e);
                }
            };
        }
    }
}
