package dev.hearth.cli;

import dev.hearth.client.EnvInfo;
import dev.hearth.client.Hearth;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth env ls|prune}: functions' Python environments (their manifests' {@code python:}). */
@Command(name = "env", description = "List functions' Python environments, or remove those no version uses.",
        subcommands = {EnvCommand.Ls.class, EnvCommand.Prune.class})
final class EnvCommand implements Runnable {

    @ParentCommand
    HearthCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say 'ls' or 'prune', e.g. hearth env ls");
    }

    @Command(name = "ls", description = "Each environment: hash, size, the function versions using it, last used.")
    static final class Ls implements Callable<Integer> {

        @ParentCommand
        EnvCommand parent;

        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            try (Hearth hearth = client.connect(ctx)) {
                print(hearth.environments(), ctx);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "prune", description = "Remove the environments no stored function version uses.")
    static final class Prune implements Callable<Integer> {

        @ParentCommand
        EnvCommand parent;

        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            Context ctx = parent.root.context();
            List<EnvInfo> removed;
            try (Hearth hearth = client.connect(ctx)) {
                removed = hearth.pruneEnvironments();
            }
            long bytes = removed.stream().mapToLong(EnvInfo::sizeBytes).sum();
            ctx.out().println("removed " + removed.size() + (removed.size() == 1 ? " environment" : " environments")
                    + (removed.isEmpty() ? "" : " (" + size(bytes) + "): " + String.join(", ",
                    removed.stream().map(EnvInfo::hash).toList())));
            return ExitCodes.OK;
        }
    }

    static void print(List<EnvInfo> envs, Context ctx) {
        if (envs.isEmpty()) {
            ctx.out().println("no Python environments (a manifest's python: block makes one at deploy)");
            return;
        }
        Table t = new Table("HASH", "PYTHON", "SIZE", "USED BY", "LAST USED", "REQUIREMENTS");
        for (EnvInfo e : envs) {
            String python = e.pythonVersion() + (e.systemSitePackages() ? " +system" : "");
            t.row(e.hash(), python, size(e.sizeBytes()), e.usedBy().isEmpty() ? "(unused)"
                    : String.join(",", e.usedBy()), e.lastUsed() == null ? "never"
                    : e.lastUsed().truncatedTo(ChronoUnit.SECONDS).toString(), requirements(e.requirements()));
        }
        t.print(ctx.out());
    }

    private static String requirements(List<String> r) {
        String all = String.join(" ", r);
        return all.isEmpty() ? "-" : all.length() > 60 ? all.substring(0, 57) + "..." : all;
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
